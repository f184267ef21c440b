"""API8 security misconfiguration: headers, problem bodies and timestamps on every service."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.security

SERVICES = ("intake", "monitoring", "standards", "notifications")
AUTHENTICATED_READS = {
    "intake": "/v1/projects",
    "monitoring": "/v1/portfolio/health",
    "standards": "/v1/methodologies",
    "notifications": "/v1/subscriptions",
}
OFFSET = re.compile(r"(Z|[+-]\d{2}:\d{2})$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@pytest.mark.parametrize("service", SERVICES)
def test_answers_carry_nosniff_and_no_server_banner(
    world: Any, http: httpx.Client, service: str
) -> None:
    for path, headers in (
        ("/healthz", {}),
        (AUTHENTICATED_READS[service], world.admin),
        (AUTHENTICATED_READS[service], {}),  # the 401
        ("/v1/no-such-route", world.admin),  # the 404
    ):
        answer = http.get(world.url(service, path), headers=headers)
        assert answer.headers.get("x-content-type-options") == "nosniff", (path, answer.headers)
        assert "uvicorn" not in answer.headers.get("server", "").lower(), (path, answer.headers)


@pytest.mark.parametrize("service", SERVICES)
def test_authenticated_answers_are_not_cached(world: Any, http: httpx.Client, service: str) -> None:
    no_token: dict[str, str] = {}
    for headers in (world.admin, no_token):
        answer = http.get(world.url(service, AUTHENTICATED_READS[service]), headers=headers)
        assert "no-store" in answer.headers.get("cache-control", ""), answer.headers


@pytest.mark.parametrize("service", SERVICES)
def test_the_docs_page_has_a_content_security_policy(
    world: Any, http: httpx.Client, service: str
) -> None:
    answer = http.get(world.url(service, "/docs"))
    assert answer.status_code == 200
    policy = answer.headers.get("content-security-policy", "")
    assert policy, answer.headers
    assert "default-src" in policy or "script-src" in policy, policy
    assert "frame-ancestors" in policy, policy


@pytest.mark.parametrize("service", SERVICES)
def test_errors_are_problem_json(world: Any, http: httpx.Client, service: str) -> None:
    path = AUTHENTICATED_READS[service]
    cases = {
        "401": http.get(world.url(service, path)),
        "404": http.get(world.url(service, "/v1/no-such-route"), headers=world.admin),
        "405": http.request("PATCH", world.url(service, "/healthz"), headers=world.admin),
        "422": http.get(world.url(service, path), headers=world.admin, params={"limit": "x"}),
    }
    for expected, answer in cases.items():
        assert str(answer.status_code) == expected, (expected, answer.text[:300])
        assert answer.headers["content-type"].startswith("application/problem+json"), (
            expected,
            answer.headers["content-type"],
        )
        body = answer.json()
        assert body["status"] == answer.status_code
        assert body.get("title"), body


def test_malformed_json_is_a_422_problem(world: Any, http: httpx.Client) -> None:
    answer = http.post(
        world.url("intake", "/v1/projects"),
        headers={**world.admin, "Content-Type": "application/json"},
        content=b'{"name": ',
    )
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")


def _timestamps(value: Any, found: list[tuple[str, str]], key: str = "") -> None:
    if isinstance(value, dict):
        for name, item in value.items():
            _timestamps(item, found, name)
    elif isinstance(value, list):
        for item in value:
            _timestamps(item, found, key)
    elif isinstance(value, str) and TIMESTAMP.match(value):
        found.append((key, value))


def test_timestamps_read_back_carry_an_offset(world: Any, http: httpx.Client) -> None:
    mine = world.my_project["id"]
    silence = http.post(
        world.url("notifications", "/v1/silences"),
        headers=world.admin,
        json={
            "project_id": mine,
            "reason": "Offsets",
            "ends_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
        },
    )
    assert silence.status_code == 201, silence.text
    reads = [
        ("intake", f"/v1/projects/{mine}"),
        ("intake", "/v1/requests"),
        ("intake", "/v1/portfolios"),
        ("monitoring", f"/v1/projects/{mine}/health"),
        ("monitoring", f"/v1/projects/{mine}/status-reports"),
        ("standards", f"/v1/projects/{mine}/compliance"),
        ("standards", "/v1/methodologies"),
        ("notifications", "/v1/subscriptions"),
        ("notifications", f"/v1/silences/{silence.json()['id']}"),
    ]
    found: list[tuple[str, str]] = []
    for service, path in reads:
        answer = http.get(world.url(service, path), headers=world.admin)
        assert answer.status_code == 200, (path, answer.text[:300])
        _timestamps(answer.json(), found)
    assert found, "no timestamps were read back"
    naive = [(key, value) for key, value in found if not OFFSET.search(value)]
    assert not naive, naive
