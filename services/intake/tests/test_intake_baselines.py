"""Baseline versions: version 1 at registration or request approval, the next one on a PMO
admin's direct change (with project.rebaselined), and the change-request route for everyone
else; read with the project's read rights."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conftest import Intake


async def baselines(intake: Intake, project_id: str, headers: dict[str, str]) -> list[Any]:
    response = await intake.client.get(f"/v1/projects/{project_id}/baselines", headers=headers)
    assert response.status_code == 200, response.text
    items: list[Any] = response.json()["items"]
    return items


async def test_a_registered_project_has_its_baseline_as_version_1(intake: Intake) -> None:
    project = await intake.new_project()
    (first,) = await baselines(intake, project["id"], intake.auth_header())
    assert first["version"] == 1
    assert first["project_id"] == project["id"]
    assert first["budget"] == 100000
    assert (first["start_date"], first["end_date"]) == ("2026-01-01", "2026-12-31")
    assert first["milestones"] == [{"name": "Design signed off", "due_date": "2026-03-31"}]
    assert first["planned_value_profile"] == []
    assert first["reason"] == "registered"
    assert first["created_by"] == "pmo@example.com"
    assert first["change_request_id"] is None
    one = await intake.client.get(
        f"/v1/projects/{project['id']}/baselines/1", headers=intake.auth_header()
    )
    assert one.json() == first
    missing = await intake.client.get(
        f"/v1/projects/{project['id']}/baselines/2", headers=intake.auth_header()
    )
    assert missing.status_code == 404


async def test_baselines_are_read_with_the_projects_rights(intake: Intake) -> None:
    project = await intake.new_project(manager="bob@example.com")
    url = f"/v1/projects/{project['id']}/baselines"
    ada = intake.auth_header("project_manager", "ada@example.com")
    bob = intake.auth_header("project_manager", "bob@example.com")
    assert (await intake.client.get(url)).status_code == 401
    assert (await intake.client.get(url, headers=ada)).status_code == 403
    assert (await intake.client.get(f"{url}/1", headers=ada)).status_code == 403
    assert (await intake.client.get(url, headers=bob)).status_code == 200
    viewer = intake.auth_header("viewer", "vic@example.com")
    assert (await intake.client.get(f"{url}/1", headers=viewer)).status_code == 200
    unknown = await intake.client.get("/v1/projects/nope/baselines", headers=viewer)
    assert unknown.status_code == 404


async def test_an_approved_request_makes_version_1_naming_the_request(
    intake: Intake, ada: dict[str, str]
) -> None:
    request_id = await intake.new_request(ada, submit=True)
    admin = intake.auth_header("pmo_admin", "pmo@example.com")
    approved = await intake.client.post(f"/v1/requests/{request_id}/approve", headers=admin)
    assert approved.status_code == 200, approved.text
    (first,) = await baselines(intake, approved.json()["project_id"], admin)
    assert first["version"] == 1
    assert first["budget"] == 250000
    assert first["created_by"] == "pmo@example.com"
    assert first["reason"] == f"request {request_id} approved"


async def test_an_admins_direct_change_records_the_next_version(intake: Intake) -> None:
    project = await intake.new_project()
    admin = intake.auth_header("pmo_admin", "pmo@example.com")
    patched = await intake.client.patch(
        f"/v1/projects/{project['id']}",
        json={"budget": 150000, "end_date": "2027-03-31", "name": "Apollo II"},
        headers=admin,
    )
    assert patched.status_code == 200, patched.text
    first, second = await baselines(intake, project["id"], admin)
    assert (first["version"], first["budget"]) == (1, 100000)
    assert (second["version"], second["budget"], second["end_date"]) == (2, 150000, "2027-03-31")
    assert second["reason"] == "direct change by pmo@example.com"
    assert second["created_by"] == "pmo@example.com"

    events = await intake.outbox_events()
    assert [topic for topic, _ in events] == [
        "project.created",
        "project.updated",
        "project.rebaselined",
    ]
    updated, rebaselined = events[1][1], events[2][1]
    assert updated["data"]["changed_fields"] == ["budget", "end_date", "name"]
    assert rebaselined["subject"] == project["id"]
    data = rebaselined["data"]
    assert data["version"] == 2
    assert data["changed_fields"] == ["budget", "end_date"]
    assert (data["previous"]["budget"], data["current"]["budget"]) == (100000, 150000)
    assert data["previous"]["end_date"] == "2026-12-31"
    assert data["current"]["end_date"] == "2027-03-31"
    assert data["reason"] == "direct change by pmo@example.com"
    assert data["changed_by"] == "pmo@example.com"
    assert data["change_request_id"] is None


async def test_a_change_outside_the_baseline_makes_no_version(intake: Intake) -> None:
    project = await intake.new_project(portfolio_id=await intake.new_portfolio())
    pam = intake.auth_header("portfolio_manager", "pam@example.com")
    renamed = await intake.client.patch(
        f"/v1/projects/{project['id']}", json={"sponsor": "sam@example.com"}, headers=pam
    )
    assert renamed.status_code == 200, renamed.text
    assert len(await baselines(intake, project["id"], pam)) == 1
    assert [topic for topic, _ in await intake.outbox_events()] == [
        *intake.new_portfolio_events,
        "project.created",
        "project.updated",
    ]


async def test_only_admins_patch_the_baseline_the_others_are_sent_to_change_requests(
    intake: Intake,
) -> None:
    project = await intake.new_project()
    url = f"/v1/projects/{project['id']}"
    for role, email in (
        ("portfolio_manager", "pam@example.com"),
        ("project_manager", "ada@example.com"),
    ):
        refused = await intake.client.patch(
            url, json={"budget": 1, "name": "X"}, headers=intake.auth_header(role, email)
        )
        assert refused.status_code == 403, role
        assert f"POST /v1/projects/{project['id']}/change-requests" in refused.json()["detail"]
        assert "(refused: budget)" in refused.json()["detail"]
    # Outside the baseline, today's rules: the project manager still may not edit the registry.
    ada = intake.auth_header("project_manager", "ada@example.com")
    renamed = await intake.client.patch(url, json={"name": "X"}, headers=ada)
    assert renamed.status_code == 403
    assert "change-requests" not in renamed.json()["detail"]
    assert (await intake.client.get(url, headers=ada)).json()["budget"] == 100000
    assert len(await baselines(intake, project["id"], ada)) == 1
