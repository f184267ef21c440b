"""The project registry's HTTP behaviour: validation, authorisation, events in the outbox."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from conftest import Intake


async def test_create_project_defaults_and_outbox_event(intake: Intake) -> None:
    response = await intake.client.post(
        "/v1/projects", json=intake.project_body(), headers=intake.auth_header()
    )
    assert response.status_code == 201, response.text
    project = response.json()
    assert response.headers["location"] == f"/v1/projects/{project['id']}"
    assert project["methodology"] == "waterfall"
    assert project["currency"] == "EUR"
    assert project["status"] == "active"
    events = await intake.outbox_events()
    assert [topic for topic, _ in events] == ["project.created"]
    envelope = events[0][1]
    assert envelope["subject"] == project["id"]
    assert envelope["source"] == "/pmo/intake"
    assert envelope["data"]["manager"] == "ada@example.com"
    assert envelope["data"]["milestones"][0]["due_date"] == "2026-03-31"


async def test_a_project_read_back_answers_its_timestamps_with_their_offset(intake: Intake) -> None:
    created = (
        await intake.client.post(
            "/v1/projects", json=intake.project_body(), headers=intake.auth_header()
        )
    ).json()
    # SQLite hands timestamps back naive; the repositories read them back as UTC.
    read = (
        await intake.client.get(f"/v1/projects/{created['id']}", headers=intake.auth_header())
    ).json()
    assert created["created_at"].endswith(("Z", "+00:00"))
    assert read["created_at"] == created["created_at"]
    assert read["updated_at"] == created["updated_at"]
    assert read == created


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("body.end_date", {"end_date": "2025-12-01"}),
        ("body.methodology", {"methodology": "astrology"}),
        ("body.colour", {"colour": "blue"}),
        ("body.budget", {"budget": -5}),
        ("body.manager", {"manager": "not-an-email"}),
    ],
)
async def test_invalid_bodies_name_the_field(
    intake: Intake, field: str, overrides: dict[str, Any]
) -> None:
    body = intake.project_body(**overrides)
    response = await intake.client.post("/v1/projects", json=body, headers=intake.auth_header())
    assert response.status_code == 422, (field, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    fields = [error["field"] for error in response.json()["errors"]]
    assert field in fields, (field, fields)


async def test_authentication_and_authorisation(intake: Intake) -> None:
    assert (await intake.client.get("/v1/projects")).status_code == 401
    bad = {"Authorization": "Bearer not-a-jwt"}
    assert (await intake.client.get("/v1/projects", headers=bad)).status_code == 401
    viewer_post = await intake.client.post(
        "/v1/projects", json=intake.project_body(), headers=intake.auth_header("viewer")
    )
    assert viewer_post.status_code == 403
    assert viewer_post.json()["title"] == "Forbidden"


async def test_managers_see_only_their_projects(intake: Intake) -> None:
    mine = await intake.new_project()
    theirs = await intake.new_project(name="Zephyr", manager="bob@example.com")
    ada = intake.auth_header("project_manager", "Ada@Example.com")
    listed = (await intake.client.get("/v1/projects", headers=ada)).json()
    assert [p["id"] for p in listed["items"]] == [mine["id"]]
    assert (await intake.client.get(f"/v1/projects/{mine['id']}", headers=ada)).status_code == 200
    forbidden = await intake.client.get(f"/v1/projects/{theirs['id']}", headers=ada)
    assert forbidden.status_code == 403


async def test_patch_publishes_update_and_close_publishes_closed(intake: Intake) -> None:
    project = await intake.new_project()
    patched = await intake.client.patch(
        f"/v1/projects/{project['id']}", json={"budget": 120000}, headers=intake.auth_header()
    )
    assert patched.status_code == 200
    assert patched.json()["version"] == 2
    closed = await intake.client.post(
        f"/v1/projects/{project['id']}/close", headers=intake.auth_header()
    )
    assert closed.json()["status"] == "closed"
    events = await intake.outbox_events()
    assert [t for t, _ in events] == [
        "project.created",
        "project.updated",
        "project.rebaselined",
        "project.closed",
    ]
    assert events[1][1]["data"]["changed_fields"] == ["budget"]
    missing = await intake.client.get("/v1/projects/0000", headers=intake.auth_header())
    assert missing.status_code == 404


async def test_unchanged_patch_and_second_close_publish_nothing(intake: Intake) -> None:
    project = await intake.new_project()
    url = f"/v1/projects/{project['id']}"
    same = await intake.client.patch(url, json={"name": "Apollo"}, headers=intake.auth_header())
    assert same.status_code == 200
    assert same.json()["version"] == 1
    first = await intake.client.post(
        f"{url}/close", json={"reason": "done"}, headers=intake.auth_header()
    )
    second = await intake.client.post(f"{url}/close", headers=intake.auth_header())
    assert first.json()["version"] == second.json()["version"] == 2
    assert second.json()["status"] == "closed"
    refused = await intake.client.patch(url, json={"budget": 1}, headers=intake.auth_header())
    assert refused.status_code == 409
    assert [t for t, _ in await intake.outbox_events()] == ["project.created", "project.closed"]


async def test_idempotency_key_replays_the_first_answer(intake: Intake) -> None:
    headers = {**intake.auth_header(), "Idempotency-Key": "create-apollo-1"}
    first = await intake.client.post("/v1/projects", json=intake.project_body(), headers=headers)
    second = await intake.client.post("/v1/projects", json=intake.project_body(), headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert second.headers["idempotent-replayed"] == "true"
    assert len(await intake.outbox_events()) == 1
    other = await intake.client.post(
        "/v1/projects", json=intake.project_body(name="Other"), headers=headers
    )
    assert other.status_code == 422


async def test_planned_value_profile_is_validated_and_published(intake: Intake) -> None:
    profile = [
        {"date": "2026-03-31", "percent": 10},
        {"date": "2026-06-30", "percent": 40},
        {"date": "2026-12-31", "percent": 100},
    ]
    created = await intake.client.post(
        "/v1/projects",
        json=intake.project_body(planned_value_profile=profile),
        headers=intake.auth_header(),
    )
    assert created.status_code == 201, created.text
    assert created.json()["planned_value_profile"][1] == {"date": "2026-06-30", "percent": 40.0}
    ((_, envelope),) = await intake.outbox_events()
    assert envelope["data"]["planned_value_profile"][2]["percent"] == 100.0

    backwards = [{"date": "2026-06-30", "percent": 40}, {"date": "2026-07-31", "percent": 30}]
    refused = await intake.client.post(
        "/v1/projects",
        json=intake.project_body(planned_value_profile=backwards),
        headers=intake.auth_header(),
    )
    assert refused.status_code == 422
    fields = [error["field"] for error in refused.json()["errors"]]
    assert "body.planned_value_profile.1.percent" in fields
