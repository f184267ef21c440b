"""Project requests: draft, submit, approve into the registry, reject; who may do what."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

AuthHeader = Callable[..., dict[str, str]]


def request_body() -> dict[str, Any]:
    return {
        "title": "New CRM",
        "business_case": "Sales cannot see customer history.",
        "project": {
            "name": "CRM replacement",
            "manager": "ada@example.com",
            "start_date": "2027-01-01",
            "end_date": "2027-06-30",
            "budget": 250000,
            "milestones": [{"name": "Vendor chosen", "due_date": "2027-02-15"}],
        },
    }


async def test_request_is_approved_into_a_project(
    intake_client: httpx.AsyncClient, auth_header: AuthHeader
) -> None:
    ada = auth_header("project_manager", "ada@example.com")
    admin = auth_header()
    draft = await intake_client.post("/v1/requests", json=request_body(), headers=ada)
    assert draft.status_code == 201, draft.text
    request_id = draft.json()["id"]
    assert draft.json()["status"] == "draft"

    too_early = await intake_client.post(f"/v1/requests/{request_id}/approve", headers=admin)
    assert too_early.status_code == 409

    submitted = await intake_client.post(f"/v1/requests/{request_id}/submit", headers=ada)
    assert submitted.json()["status"] == "submitted"

    by_manager = await intake_client.post(f"/v1/requests/{request_id}/approve", headers=ada)
    assert by_manager.status_code == 403

    approved = await intake_client.post(
        f"/v1/requests/{request_id}/approve", json={"comment": "Go"}, headers=admin
    )
    assert approved.status_code == 200, approved.text
    project_id = approved.json()["project_id"]
    assert project_id
    project = await intake_client.get(f"/v1/projects/{project_id}", headers=ada)
    assert project.json()["name"] == "CRM replacement"
    assert project.json()["milestones"] == [{"name": "Vendor chosen", "due_date": "2027-02-15"}]


async def test_rejection_and_visibility(
    intake_client: httpx.AsyncClient, auth_header: AuthHeader
) -> None:
    ada = auth_header("project_manager", "ada@example.com")
    bob = auth_header("project_manager", "bob@example.com")
    request_id = (
        await intake_client.post("/v1/requests", json=request_body(), headers=ada)
    ).json()["id"]
    assert (await intake_client.get(f"/v1/requests/{request_id}", headers=bob)).status_code == 403
    assert (await intake_client.get("/v1/requests", headers=bob)).json()["items"] == []
    await intake_client.post(f"/v1/requests/{request_id}/submit", headers=ada)
    rejected = await intake_client.post(
        f"/v1/requests/{request_id}/reject", json={"comment": "No budget"}, headers=auth_header()
    )
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["decision_comment"] == "No budget"
    viewer = await intake_client.post(
        "/v1/requests", json=request_body(), headers=auth_header("viewer")
    )
    assert viewer.status_code == 403
