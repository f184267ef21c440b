"""API1 BOLA, API5 BFLA and default-deny: who may read, report on, decide and list what.

Every refused write is followed by a read showing the data it aimed at is unchanged.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from pmo_stack.testkit import assert_problem, bearer
from pmo_stack.testkit.project_data import subscription_body

pytestmark = pytest.mark.security

TODAY = datetime.now(UTC).date().isoformat()
OUTSIDER = "mallory@example.com"


def report_body() -> dict[str, Any]:
    return {"as_of": TODAY, "percent_complete": 40, "actual_cost": 90000}


def test_a_manager_reads_their_own_project_everywhere(world: Any, http: httpx.Client) -> None:
    # The control for the BOLA cases below: the same calls on one's own project succeed.
    mine = world.my_project["id"]
    for service, path in (
        ("intake", f"/v1/projects/{mine}"),
        ("monitoring", f"/v1/projects/{mine}/health"),
        ("monitoring", f"/v1/projects/{mine}/status-reports"),
        ("monitoring", f"/v1/projects/{mine}/baseline-variance"),
        ("monitoring", f"/v1/projects/{mine}/raid"),
        ("intake", f"/v1/projects/{mine}/baselines"),
        ("intake", f"/v1/projects/{mine}/change-requests"),
        ("standards", f"/v1/projects/{mine}/compliance"),
    ):
        answer = http.get(world.url(service, path), headers=world.manager)
        assert answer.status_code == 200, (service, path, answer.text)


@pytest.mark.parametrize(
    ("service", "path"),
    [
        ("intake", "/v1/projects/{id}"),
        ("monitoring", "/v1/projects/{id}/health"),
        ("monitoring", "/v1/projects/{id}/health/history"),
        ("monitoring", "/v1/projects/{id}/status-reports"),
        ("monitoring", "/v1/projects/{id}/baseline-variance"),
        ("monitoring", "/v1/projects/{id}/raid"),
        ("intake", "/v1/projects/{id}/baselines"),
        ("intake", "/v1/projects/{id}/change-requests"),
        ("standards", "/v1/projects/{id}/compliance"),
    ],
)
def test_bola_a_manager_cannot_read_another_managers_project(
    world: Any, http: httpx.Client, service: str, path: str
) -> None:
    theirs = world.other_project["id"]
    answer = http.get(world.url(service, path.format(id=theirs)), headers=world.manager)
    assert_problem(answer, 403)


def test_bola_a_manager_cannot_list_another_managers_projects(
    world: Any, http: httpx.Client
) -> None:
    answer = http.get(world.url("intake", "/v1/projects?limit=200"), headers=world.manager)
    assert answer.status_code == 200
    ids = {p["id"] for p in answer.json()["items"]}
    assert world.my_project["id"] in ids
    assert world.other_project["id"] not in ids


def test_bola_a_manager_cannot_report_on_another_managers_project(
    world: Any, http: httpx.Client
) -> None:
    theirs = world.other_project["id"]
    url = world.url("monitoring", f"/v1/projects/{theirs}/status-reports")
    answer = http.post(url, headers=world.manager, json=report_body())
    assert answer.status_code == 403, answer.text
    reports = http.get(url, headers=world.admin).json()["items"]
    assert reports == []


def test_bola_a_manager_cannot_patch_or_close_another_managers_project(
    world: Any, http: httpx.Client
) -> None:
    theirs = world.other_project
    url = world.url("intake", f"/v1/projects/{theirs['id']}")
    answer = http.patch(url, headers=world.manager, json={"manager": "ada.manager@example.com"})
    assert answer.status_code == 403, answer.text
    closing = http.post(f"{url}/close", headers=world.manager, json={"reason": "mine now"})
    assert closing.status_code == 403, closing.text
    after = http.get(url, headers=world.admin).json()
    assert after["manager"] == theirs["manager"]
    assert after["status"] == theirs["status"]
    assert after["version"] == theirs["version"]


def test_bola_a_manager_cannot_file_deliverables_or_subscribe_on_another_project(
    world: Any, http: httpx.Client
) -> None:
    theirs = world.other_project["id"]
    filed = http.post(
        world.url("standards", f"/v1/projects/{theirs}/deliverables"),
        headers=world.manager,
        json={"name": world.deliverable, "gate": world.gate},
    )
    assert filed.status_code == 403, filed.text
    compliance = http.get(
        world.url("standards", f"/v1/projects/{theirs}/compliance"), headers=world.admin
    ).json()
    assert world.deliverable not in str(compliance.get("deliverables", ""))
    subscribed = http.post(
        world.url("notifications", "/v1/subscriptions"),
        headers=world.manager,
        json=subscription_body("email", "ada.manager@example.com", theirs),
    )
    assert subscribed.status_code == 403, subscribed.text


def test_bfla_a_viewer_or_manager_cannot_approve_or_reject_requests(
    world: Any, http: httpx.Client
) -> None:
    request = world.submitted_request
    url = world.url("intake", f"/v1/requests/{request['id']}")
    for headers in (world.viewer, world.manager):
        for verb in ("approve", "reject"):
            answer = http.post(f"{url}/{verb}", headers=headers, json={"comment": "ok"})
            assert answer.status_code == 403, (verb, answer.text)
    after = http.get(url, headers=world.admin).json()
    assert after["status"] == request["status"] == "submitted"
    assert after["project_id"] is None


def test_bfla_a_viewer_or_manager_cannot_publish_or_revise_methodologies(
    world: Any, http: httpx.Client
) -> None:
    before = http.get(world.url("standards", "/v1/methodologies/scrum"), headers=world.admin)
    body = {"key": "rogue", "name": "Rogue", "phases": ["plan", "do"]}
    for headers in (world.viewer, world.manager):
        created = http.post(world.url("standards", "/v1/methodologies"), headers=headers, json=body)
        assert created.status_code == 403, created.text
        revised = http.put(
            world.url("standards", "/v1/methodologies/scrum"),
            headers=headers,
            json={"name": "Scrum (owned)", "phases": ["anything"]},
        )
        assert revised.status_code == 403, revised.text
    assert (
        http.get(world.url("standards", "/v1/methodologies/rogue"), headers=world.admin).status_code
        == 404
    )
    after = http.get(world.url("standards", "/v1/methodologies/scrum"), headers=world.admin)
    assert after.json() == before.json()


def settled(compliance: dict[str, Any]) -> dict[str, Any]:
    """A compliance answer without the moment it was evaluated (that changes on every read)."""
    return {key: value for key, value in compliance.items() if key != "evaluated_at"}


def test_bfla_a_viewer_or_manager_cannot_decide_gates(world: Any, http: httpx.Client) -> None:
    mine = world.my_project["id"]
    url = world.url("standards", f"/v1/projects/{mine}/gates/{world.gate}/decision")
    before = http.get(
        world.url("standards", f"/v1/projects/{mine}/compliance"), headers=world.admin
    ).json()
    for headers in (world.viewer, world.manager):
        answer = http.post(url, headers=headers, json={"decision": "approved"})
        assert answer.status_code == 403, answer.text
    after = http.get(
        world.url("standards", f"/v1/projects/{mine}/compliance"), headers=world.admin
    ).json()
    assert settled(after) == settled(before)


@pytest.mark.parametrize(
    "roles", [[], ["superuser"], ["PMO_ADMIN"]], ids=["none", "unknown", "case"]
)
@pytest.mark.parametrize(
    ("service", "path"),
    [
        ("intake", "/v1/portfolios"),
        ("intake", "/v1/programs"),
        ("monitoring", "/v1/portfolio/health"),
    ],
)
def test_a_token_without_a_known_role_is_denied(
    world: Any, http: httpx.Client, roles: list[str], service: str, path: str
) -> None:
    headers = bearer(world.tokens.token(roles, OUTSIDER))
    answer = http.get(world.url(service, path), headers=headers)
    assert_problem(answer, 403)
