"""Project requests: draft, submit, approve into the registry; who may see and change what.
(Rejection and the review before a decision: test_intake_request_review.)"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Intake


async def test_request_is_approved_into_a_project(intake: Intake, ada: dict[str, str]) -> None:
    admin = intake.auth_header()
    request_id = await intake.new_request(ada)

    too_early = await intake.client.post(f"/v1/requests/{request_id}/approve", headers=admin)
    assert too_early.status_code == 409

    submitted = await intake.client.post(f"/v1/requests/{request_id}/submit", headers=ada)
    assert submitted.json()["status"] == "submitted"

    by_manager = await intake.client.post(f"/v1/requests/{request_id}/approve", headers=ada)
    assert by_manager.status_code == 403

    approved = await intake.client.post(
        f"/v1/requests/{request_id}/approve", json={"comment": "Go"}, headers=admin
    )
    assert approved.status_code == 200, approved.text
    project_id = approved.json()["project_id"]
    assert project_id
    project = await intake.client.get(f"/v1/projects/{project_id}", headers=ada)
    assert project.json()["name"] == "CRM replacement"
    assert project.json()["milestones"] == [{"name": "Vendor chosen", "due_date": "2027-02-15"}]
    events = await intake.outbox_events()
    assert [topic for topic, _ in events] == [
        "intake.request.submitted",
        "project.created",
        "intake.request.approved",
    ]
    assert events[2][1]["subject"] == project_id
    assert events[2][1]["data"]["comment"] == "Go"


async def test_a_manager_sees_no_other_managers_request_and_a_viewer_drafts_none(
    intake: Intake, ada: dict[str, str], bob: dict[str, str]
) -> None:
    request_id = await intake.new_request(ada)
    assert (await intake.client.get(f"/v1/requests/{request_id}", headers=bob)).status_code == 403
    assert (await intake.client.get("/v1/requests", headers=bob)).json()["items"] == []
    viewer = await intake.client.post(
        "/v1/requests", json=intake.request_body(), headers=intake.auth_header("viewer")
    )
    assert viewer.status_code == 403


async def test_only_the_requester_changes_a_draft(
    intake: Intake, ada: dict[str, str], bob: dict[str, str]
) -> None:
    url = f"/v1/requests/{await intake.new_request(ada)}"
    assert (await intake.client.patch(url, json={"title": "X"}, headers=bob)).status_code == 403
    assert (await intake.client.post(f"{url}/submit", headers=bob)).status_code == 403
    edited = await intake.client.patch(url, json={"business_case": None}, headers=ada)
    assert edited.status_code == 200, edited.text
    assert edited.json()["business_case"] is None
    assert edited.json()["title"] == "New CRM"
    stored = (await intake.client.get(url, headers=ada)).json()
    assert stored["business_case"] is None
    proposal = intake.request_body()["project"]
    assert {key: stored["project"][key] for key in proposal} == proposal
    await intake.client.post(f"{url}/submit", headers=ada)
    assert (await intake.client.patch(url, json={"title": "Y"}, headers=ada)).status_code == 409
    missing = await intake.client.get("/v1/requests/0000", headers=ada)
    assert missing.status_code == 404


async def test_idempotency_key_covers_the_whole_body(intake: Intake, ada: dict[str, str]) -> None:
    headers = {**ada, "Idempotency-Key": "crm-1"}
    first = await intake.client.post("/v1/requests", json=intake.request_body(), headers=headers)
    again = await intake.client.post("/v1/requests", json=intake.request_body(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    other_case = await intake.client.post(
        "/v1/requests", json=intake.request_body(business_case="Another reason."), headers=headers
    )
    assert other_case.status_code == 422, other_case.text
    assert other_case.json()["errors"] == [
        {"field": "header.Idempotency-Key", "reason": "reused with another body"}
    ]
    listed = await intake.client.get("/v1/requests", headers=headers)
    assert [r["id"] for r in listed.json()["items"]] == [first.json()["id"]]
