"""Change requests of baselines: filed by the project's manager, decided by someone else (a
portfolio manager or a PMO admin); approval makes the next baseline version and publishes
project.updated and project.rebaselined in the same transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from pmo_stack.testkit.openapi_checks import refused_fields

if TYPE_CHECKING:
    from conftest import Intake

CHANGES = {
    "budget": 130000,
    "end_date": "2027-02-26",
    "milestones": [{"name": "Design signed off", "due_date": "2026-04-30"}],
}
JUSTIFICATION = "The supplier delivers a quarter late."


async def pams_project(intake: Intake, **overrides: Any) -> dict[str, Any]:
    """A project of a portfolio Pam owns, so she decides its change requests (ADR 0026)."""
    name = overrides.get("name", "Apollo")
    portfolio_id = await intake.new_portfolio(name=f"Portfolio of {name}")
    return await intake.new_project(portfolio_id=portfolio_id, **overrides)


async def file(
    intake: Intake, project_id: str, headers: dict[str, str], **body: Any
) -> dict[str, Any]:
    sent = {"changes": CHANGES, "justification": JUSTIFICATION, **body}
    url = f"/v1/projects/{project_id}/change-requests"
    response = await intake.client.post(url, json=sent, headers=headers)
    assert response.status_code == 201, response.text
    filed: dict[str, Any] = response.json()
    return filed


async def test_the_manager_files_and_a_portfolio_manager_approves(
    intake: Intake, ada: dict[str, str], pam: dict[str, str]
) -> None:
    project = await pams_project(intake)
    url = f"/v1/projects/{project['id']}/change-requests"
    filed = await file(intake, project["id"], ada)
    assert filed["status"] == "pending"
    assert filed["project_id"] == project["id"]
    assert filed["changes"] == CHANGES
    assert filed["justification"] == JUSTIFICATION
    assert filed["requested_by"] == "ada@example.com"
    assert {"id", "requested_at"} <= filed.keys()
    assert (await intake.client.get(url, headers=ada)).json()["items"] == [filed]
    assert (await intake.client.get(f"{url}/{filed['id']}", headers=pam)).json() == filed
    # Filing changes nothing yet.
    assert (await intake.client.get(f"/v1/projects/{project['id']}", headers=ada)).json()[
        "budget"
    ] == 100000
    assert [topic for topic, _ in await intake.outbox_events()] == [
        *intake.new_portfolio_events,
        "project.created",
    ]

    approved = await intake.client.post(f"{url}/{filed['id']}/approve", headers=pam)
    assert approved.status_code == 200, approved.text
    decision = approved.json()
    assert decision["status"] == "approved"
    assert decision["decided_by"] == "pam@example.com"
    assert decision["baseline_version"] == 2
    now = (await intake.client.get(f"/v1/projects/{project['id']}", headers=ada)).json()
    assert (now["budget"], now["end_date"], now["version"]) == (130000, "2027-02-26", 2)
    versions = (
        await intake.client.get(f"/v1/projects/{project['id']}/baselines", headers=ada)
    ).json()["items"]
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[1]["change_request_id"] == filed["id"]
    assert versions[1]["reason"] == JUSTIFICATION
    assert versions[1]["created_by"] == "pam@example.com"

    events = (await intake.outbox_events())[len(intake.new_portfolio_events) :]
    assert [topic for topic, _ in events] == [
        "project.created",
        "project.updated",
        "project.rebaselined",
    ]
    assert events[1][1]["data"]["budget"] == 130000
    assert events[1][1]["data"]["changed_fields"] == ["budget", "end_date", "milestones"]
    rebaselined = events[2][1]["data"]
    assert rebaselined["version"] == 2
    assert rebaselined["change_request_id"] == filed["id"]
    assert rebaselined["reason"] == JUSTIFICATION
    assert rebaselined["changed_by"] == "pam@example.com"
    assert rebaselined["previous"]["budget"] == 100000
    assert rebaselined["previous"]["milestones"][0]["due_date"] == "2026-03-31"
    assert rebaselined["current"]["milestones"][0]["due_date"] == "2026-04-30"
    assert rebaselined["current"]["end_date"] == "2027-02-26"


async def test_a_rejection_says_why_and_leaves_the_baseline(
    intake: Intake, ada: dict[str, str], pam: dict[str, str]
) -> None:
    project = await pams_project(intake)
    filed = await file(intake, project["id"], ada)
    url = f"/v1/projects/{project['id']}/change-requests/{filed['id']}"
    reasonless = await intake.client.post(f"{url}/reject", json={}, headers=pam)
    assert refused_fields(reasonless) == ["body.reason"]
    rejected = await intake.client.post(
        f"{url}/reject", json={"reason": "Absorb it within contingency."}, headers=pam
    )
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["decision_reason"] == "Absorb it within contingency."
    assert rejected.json()["baseline_version"] is None
    versions = (
        await intake.client.get(f"/v1/projects/{project['id']}/baselines", headers=ada)
    ).json()["items"]
    assert len(versions) == 1
    assert [topic for topic, _ in await intake.outbox_events()] == [
        *intake.new_portfolio_events,
        "project.created",
    ]
    pending = await intake.client.get(
        f"/v1/projects/{project['id']}/change-requests",
        params={"status": "pending"},
        headers=ada,
    )
    assert pending.json()["items"] == []


async def test_a_decided_request_cannot_be_decided_again(
    intake: Intake, ada: dict[str, str], pam: dict[str, str]
) -> None:
    project = await pams_project(intake)
    filed = await file(intake, project["id"], ada)
    url = f"/v1/projects/{project['id']}/change-requests/{filed['id']}"
    assert (await intake.client.post(f"{url}/approve", headers=pam)).status_code == 200
    again = await intake.client.post(f"{url}/approve", headers=intake.auth_header())
    assert again.status_code == 409
    assert again.json()["title"] == "Change request already decided"
    late_no = await intake.client.post(f"{url}/reject", json={"reason": "No."}, headers=pam)
    assert late_no.status_code == 409
    assert (await intake.client.get(url, headers=ada)).json()["status"] == "approved"
    topics = [topic for topic, _ in await intake.outbox_events()]
    assert topics.count("project.rebaselined") == 1


async def test_who_files_and_who_decides(
    intake: Intake, ada: dict[str, str], bob: dict[str, str], pam: dict[str, str]
) -> None:
    project = await pams_project(intake)
    url = f"/v1/projects/{project['id']}/change-requests"
    body = {"changes": CHANGES, "justification": JUSTIFICATION}
    viewer = intake.auth_header("viewer", "vic@example.com")
    assert (await intake.client.post(url, json=body)).status_code == 401
    for outsider in (bob, pam, viewer):
        assert (await intake.client.post(url, json=body, headers=outsider)).status_code == 403
    assert (await intake.client.get(url, headers=bob)).status_code == 403
    filed = await file(intake, project["id"], ada)
    decide = f"{url}/{filed['id']}/approve"
    assert (await intake.client.get(f"{url}/{filed['id']}", headers=bob)).status_code == 403
    # The manager cannot approve her own request, nor can a project manager decide at all.
    assert (await intake.client.post(decide, headers=ada)).status_code == 403
    assert (await intake.client.post(decide, headers=viewer)).status_code == 403
    # A PMO admin files too, but does not decide their own request.
    admin = intake.auth_header("pmo_admin", "pmo@example.com")
    own = await file(intake, project["id"], admin, justification="Admin's own.")
    refused = await intake.client.post(f"{url}/{own['id']}/approve", headers=admin)
    assert refused.status_code == 403
    assert "requester" in refused.json()["detail"]
    assert (await intake.client.post(f"{url}/{own['id']}/approve", headers=pam)).status_code == 200
    unknown = await intake.client.post(f"{url}/nope/approve", headers=pam)
    assert unknown.status_code == 404
    elsewhere = await pams_project(intake, name="Zephyr")
    moved = f"/v1/projects/{elsewhere['id']}/change-requests/{filed['id']}"
    assert (await intake.client.get(moved, headers=pam)).status_code == 404


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"end_date": "2025-12-01"}, "body.changes.end_date"),
        (
            {"milestones": [{"name": "Late", "due_date": "2027-06-30"}]},
            "body.changes.milestones.0.due_date",
        ),
        ({}, "body.changes"),
        ({"name": "Not a baseline field"}, "body.changes.name"),
        ({"budget": None}, "body.changes.budget"),
        ({"budget": 100000}, "body.changes"),
    ],
)
async def test_changes_that_break_the_rules_are_refused_when_filed(
    intake: Intake, ada: dict[str, str], changes: dict[str, Any], field: str
) -> None:
    project = await pams_project(intake)
    url = f"/v1/projects/{project['id']}/change-requests"
    refused = await intake.client.post(
        url, json={"changes": changes, "justification": JUSTIFICATION}, headers=ada
    )
    assert field in refused_fields(refused)
    blank = await intake.client.post(
        url, json={"changes": CHANGES, "justification": "  "}, headers=ada
    )
    assert refused_fields(blank) == ["body.justification"]


async def test_an_approval_that_no_longer_fits_the_project_is_refused(
    intake: Intake, ada: dict[str, str], pam: dict[str, str]
) -> None:
    project = await pams_project(intake)
    filed = await file(intake, project["id"], ada, changes={"end_date": "2026-06-30"})
    # Meanwhile a PMO admin moves the start past the requested end.
    moved = await intake.client.patch(
        f"/v1/projects/{project['id']}",
        json={"start_date": "2026-07-01", "end_date": "2027-06-30", "milestones": []},
        headers=intake.auth_header(),
    )
    assert moved.status_code == 200, moved.text
    url = f"/v1/projects/{project['id']}/change-requests/{filed['id']}"
    refused = await intake.client.post(f"{url}/approve", headers=pam)
    assert refused.status_code == 422
    assert "changes.end_date" in [error["field"] for error in refused.json()["errors"]]
    assert (await intake.client.get(url, headers=pam)).json()["status"] == "pending"
    versions = (
        await intake.client.get(f"/v1/projects/{project['id']}/baselines", headers=pam)
    ).json()["items"]
    assert [v["version"] for v in versions] == [1, 2]  # the admin's change only


async def test_a_closed_project_takes_no_change_request(
    intake: Intake, ada: dict[str, str], pam: dict[str, str]
) -> None:
    project = await pams_project(intake)
    filed = await file(intake, project["id"], ada)
    closed = await intake.client.post(
        f"/v1/projects/{project['id']}/close", headers=intake.auth_header()
    )
    assert closed.status_code == 200
    url = f"/v1/projects/{project['id']}/change-requests"
    late = await intake.client.post(
        url, json={"changes": CHANGES, "justification": JUSTIFICATION}, headers=ada
    )
    assert late.status_code == 409
    assert (
        await intake.client.post(f"{url}/{filed['id']}/approve", headers=pam)
    ).status_code == 409


async def test_idempotency_key_replays_filing_and_approval(
    intake: Intake, ada: dict[str, str], pam: dict[str, str]
) -> None:
    project = await pams_project(intake)
    url = f"/v1/projects/{project['id']}/change-requests"
    body = {"changes": CHANGES, "justification": JUSTIFICATION}
    keyed = {**ada, "Idempotency-Key": "cr-1"}
    first = await intake.client.post(url, json=body, headers=keyed)
    again = await intake.client.post(url, json=body, headers=keyed)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert first.headers["location"] == f"{url}/{first.json()['id']}"
    assert len((await intake.client.get(url, headers=ada)).json()["items"]) == 1

    decide = {**pam, "Idempotency-Key": "approve-1"}
    approved = await intake.client.post(f"{url}/{first.json()['id']}/approve", headers=decide)
    replayed = await intake.client.post(f"{url}/{first.json()['id']}/approve", headers=decide)
    assert approved.status_code == replayed.status_code == 200
    assert replayed.json() == approved.json()
    assert replayed.headers["idempotent-replayed"] == "true"
    topics = [topic for topic, _ in await intake.outbox_events()]
    assert topics.count("project.rebaselined") == 1
