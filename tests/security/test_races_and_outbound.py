"""API4/API6: a same-day report race on one key; API7 SSRF; API6 subscribing outsiders.

The SSRF checks run on an in-process notifications app with private targets refused
(PMO_NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE=false), SQLite and no Kafka: the vetting happens before
anything is stored, so nothing else is needed. The e-mail domain allow-list is checked on the
running stack (PMO_NOTIFICATIONS_ALLOWED_EMAIL_DOMAINS=example.com).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from pmo_notifications.config import NotificationsSettings
from pmo_notifications.main import create_app
from pmo_notifications.migrate import migrate
from pmo_stack.testkit import TokenFactory, created, wait_until
from pmo_stack.testkit.in_process import running_client, sqlite_settings
from pmo_stack.testkit.project_data import project_body, subscription_body

pytestmark = pytest.mark.security

CONCURRENT = 8
IN_PROCESS_SECRET = "ssrf-in-process-secret-0123456789abcdef"
MANAGER = "ada.manager@example.com"


def test_concurrent_same_day_reports_with_one_key_create_one(
    world: Any, http: httpx.Client
) -> None:
    body = project_body("Race", MANAGER, started_days_ago=30, ends_in_days=30, budget=1000)
    projects = world.url("intake", "/v1/projects")
    project_id = created(http.post(projects, headers=world.admin, json=body))["id"]
    reports = world.url("monitoring", f"/v1/projects/{project_id}/status-reports")
    health = world.url("monitoring", f"/v1/projects/{project_id}/health")
    wait_until(
        lambda: http.get(health, headers=world.admin).status_code == 200,
        within=60,
        what="monitoring to hear of the project",
    )

    body = {
        "as_of": datetime.now(UTC).date().isoformat(),
        "percent_complete": 50,
        "actual_cost": 500,
    }
    headers = {**world.manager, "Idempotency-Key": f"race-{uuid.uuid4()}"}
    barrier = threading.Barrier(CONCURRENT)

    def post(_: int) -> httpx.Response:
        with httpx.Client(timeout=30) as client:
            barrier.wait()
            return client.post(reports, headers=headers, json=body)

    with ThreadPoolExecutor(CONCURRENT) as pool:
        answers = list(pool.map(post, range(CONCURRENT)))
    statuses = sorted(a.status_code for a in answers)
    assert all(s < 500 for s in statuses), [(a.status_code, a.text[:200]) for a in answers]
    first = [
        a for a in answers if a.status_code == 201 and not a.headers.get("idempotent-replayed")
    ]
    assert len(first) == 1, statuses
    for answer in answers:
        if answer is first[0]:
            continue
        replayed = answer.status_code == 201 and answer.headers.get("idempotent-replayed") == "true"
        assert replayed or answer.status_code == 409, (answer.status_code, answer.text[:200])
        if replayed:
            assert answer.json()["id"] == first[0].json()["id"]
    stored = http.get(reports, headers=world.admin).json()["items"]
    assert [r["id"] for r in stored] == [first[0].json()["id"]]


def test_concurrent_same_day_reports_without_keys_never_answer_500(
    world: Any, http: httpx.Client
) -> None:
    mine = world.my_project["id"]
    reports = world.url("monitoring", f"/v1/projects/{mine}/status-reports")
    barrier = threading.Barrier(CONCURRENT)

    def post(n: int) -> httpx.Response:
        body = {
            "as_of": datetime.now(UTC).date().isoformat(),
            "percent_complete": 10 + n,
            "actual_cost": 1000 + n,
            # Racing same-day reports replace one another, some with lower figures: each says
            # it corrects, so the race decides, not the data-quality check.
            "correction": True,
            "correction_note": f"racing report {n}",
        }
        with httpx.Client(timeout=30) as client:
            barrier.wait()
            return client.post(reports, headers=world.manager, json=body)

    with ThreadPoolExecutor(CONCURRENT) as pool:
        answers = list(pool.map(post, range(CONCURRENT)))
    assert all(a.status_code in (201, 409) for a in answers), [
        (a.status_code, a.text[:200]) for a in answers
    ]
    today = datetime.now(UTC).date().isoformat()
    stored = http.get(reports, headers=world.admin, params={"limit": 200}).json()["items"]
    assert len([r for r in stored if r["as_of"] == today]) == 1


# --- Subscriptions to outsiders ------------------------------------------------------------


def test_a_manager_may_subscribe_an_address_of_an_allowed_domain(
    world: Any, http: httpx.Client
) -> None:
    answer = http.post(
        world.url("notifications", "/v1/subscriptions"),
        headers=world.manager,
        json=subscription_body("email", "team@example.com", world.my_project["id"]),
    )
    assert answer.status_code == 201, answer.text


@pytest.mark.parametrize(
    "target",
    [
        "attacker@evil.example.org",
        "someone@gmail.com",
        "x@example.com.evil.org",
        "x@notexample.com",
    ],
)
def test_a_manager_cannot_subscribe_an_outside_address(
    world: Any, http: httpx.Client, target: str
) -> None:
    url = world.url("notifications", "/v1/subscriptions")
    before = http.get(url, headers=world.admin, params={"limit": 200}).json()["items"]
    answer = http.post(
        url,
        headers=world.manager,
        json=subscription_body("email", target, world.my_project["id"]),
    )
    assert answer.status_code in (403, 422), (answer.status_code, answer.text)
    assert answer.headers["content-type"].startswith("application/problem+json")
    after = http.get(url, headers=world.admin, params={"limit": 200}).json()["items"]
    assert after == before


# --- SSRF (in process) ---------------------------------------------------------------------


@pytest.fixture
def strict_settings(tmp_path: Path) -> NotificationsSettings:
    """Settings on a migrated SQLite file, no Kafka, private webhook targets refused."""
    # Synchronous (migrating runs its own event loop): outside the async fixture.
    return sqlite_settings(
        NotificationsSettings,
        migrate,
        tmp_path,
        environment="test",
        auth_jwt_secret=IN_PROCESS_SECRET,
        webhook_allow_private=False,
    )


@pytest.fixture
async def strict_notifications(
    strict_settings: NotificationsSettings,
) -> AsyncIterator[httpx.AsyncClient]:
    """Notifications in process with private webhook targets refused, as in production."""
    assert strict_settings.webhook_allow_private is False
    async with running_client(create_app(strict_settings), "http://n") as client:
        yield client


def admin_header() -> dict[str, str]:
    return TokenFactory(IN_PROCESS_SECRET).headers("pmo_admin", "admin@example.com")


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:8080/hook",
        "http://127.1/hook",
        "http://2130706433/hook",
        "http://0x7f000001/hook",
        "http://localhost/hook",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/hook",
        "http://10.0.0.1/hook",
        "http://172.16.5.4/hook",
        "http://192.168.1.1/hook",
        "http://100.64.0.1/hook",
        "http://[fc00::1]/hook",
        "file:///etc/passwd",
        "gopher://127.0.0.1:25/_HELO",
        "ftp://10.0.0.1/x",
        "dict://127.0.0.1:11211/stat",
        "http://user:pass@127.0.0.1/hook",
    ],
)
async def test_webhook_targets_outside_the_public_web_are_refused(
    strict_notifications: httpx.AsyncClient, target: str
) -> None:
    headers = admin_header()
    answer = await strict_notifications.post(
        "/v1/subscriptions",
        headers=headers,
        json=subscription_body("webhook", target),
    )
    assert answer.status_code == 422, (target, answer.status_code, answer.text)
    listed = await strict_notifications.get("/v1/subscriptions", headers=headers)
    assert listed.json()["items"] == []
