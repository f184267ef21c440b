"""The project registry's HTTP behaviour: validation, authorisation, events in the outbox."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
from pmo_intake.config import IntakeSettings
from pmo_intake.db.tables import messaging
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

AuthHeader = Callable[..., dict[str, str]]


def project_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Apollo",
        "manager": "ada@example.com",
        "sponsor": "grace@example.com",
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "budget": 100000,
        "milestones": [{"name": "Design signed off", "due_date": "2026-03-31"}],
    }
    body.update(overrides)
    return body


async def outbox_topics(settings: IntakeSettings) -> list[tuple[str, dict[str, Any]]]:
    engine = create_async_engine(settings.database_url)
    async with engine.connect() as connection:
        rows = (
            await connection.execute(
                select(messaging.outbox.c.topic, messaging.outbox.c.payload).order_by(
                    messaging.outbox.c.id
                )
            )
        ).all()
    await engine.dispose()
    return [(row.topic, json.loads(row.payload)) for row in rows]


async def test_create_project_defaults_and_outbox_event(
    intake_client: httpx.AsyncClient, auth_header: AuthHeader, intake_settings: IntakeSettings
) -> None:
    response = await intake_client.post("/v1/projects", json=project_body(), headers=auth_header())
    assert response.status_code == 201, response.text
    project = response.json()
    assert project["methodology"] == "waterfall"
    assert project["currency"] == "EUR"
    assert project["status"] == "active"
    events = await outbox_topics(intake_settings)
    assert [topic for topic, _ in events] == ["project.created"]
    envelope = events[0][1]
    assert envelope["subject"] == project["id"]
    assert envelope["source"] == "/pmo/intake"
    assert envelope["data"]["manager"] == "ada@example.com"
    assert envelope["data"]["milestones"][0]["due_date"] == "2026-03-31"


async def test_invalid_bodies_name_the_field(
    intake_client: httpx.AsyncClient, auth_header: AuthHeader
) -> None:
    cases = {
        "body.end_date": project_body(end_date="2025-12-01"),
        "body.methodology": project_body(methodology="astrology"),
        "body.colour": project_body(colour="blue"),
        "body.budget": project_body(budget=-5),
        "body.manager": project_body(manager="not-an-email"),
    }
    for field, body in cases.items():
        response = await intake_client.post("/v1/projects", json=body, headers=auth_header())
        assert response.status_code == 422, (field, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        fields = [error["field"] for error in response.json()["errors"]]
        assert field in fields, (field, fields)


async def test_authentication_and_authorisation(
    intake_client: httpx.AsyncClient, auth_header: AuthHeader
) -> None:
    assert (await intake_client.get("/v1/projects")).status_code == 401
    bad = {"Authorization": "Bearer not-a-jwt"}
    assert (await intake_client.get("/v1/projects", headers=bad)).status_code == 401
    viewer_post = await intake_client.post(
        "/v1/projects", json=project_body(), headers=auth_header("viewer")
    )
    assert viewer_post.status_code == 403
    assert viewer_post.json()["title"] == "Forbidden"


async def test_managers_see_only_their_projects(
    intake_client: httpx.AsyncClient, auth_header: AuthHeader
) -> None:
    mine = (
        await intake_client.post("/v1/projects", json=project_body(), headers=auth_header())
    ).json()
    theirs = (
        await intake_client.post(
            "/v1/projects",
            json=project_body(name="Zephyr", manager="bob@example.com"),
            headers=auth_header(),
        )
    ).json()
    ada = auth_header("project_manager", "Ada@Example.com")
    listed = (await intake_client.get("/v1/projects", headers=ada)).json()
    assert [p["id"] for p in listed["items"]] == [mine["id"]]
    assert (await intake_client.get(f"/v1/projects/{mine['id']}", headers=ada)).status_code == 200
    forbidden = await intake_client.get(f"/v1/projects/{theirs['id']}", headers=ada)
    assert forbidden.status_code == 403


async def test_patch_publishes_update_and_close_publishes_closed(
    intake_client: httpx.AsyncClient, auth_header: AuthHeader, intake_settings: IntakeSettings
) -> None:
    project = (
        await intake_client.post("/v1/projects", json=project_body(), headers=auth_header())
    ).json()
    patched = await intake_client.patch(
        f"/v1/projects/{project['id']}", json={"budget": 120000}, headers=auth_header()
    )
    assert patched.status_code == 200
    assert patched.json()["version"] == 2
    closed = await intake_client.post(f"/v1/projects/{project['id']}/close", headers=auth_header())
    assert closed.json()["status"] == "closed"
    events = await outbox_topics(intake_settings)
    assert [t for t, _ in events] == ["project.created", "project.updated", "project.closed"]
    assert events[1][1]["data"]["changed_fields"] == ["budget"]
    missing = await intake_client.get("/v1/projects/0000", headers=auth_header())
    assert missing.status_code == 404


async def test_idempotency_key_replays_the_first_answer(
    intake_client: httpx.AsyncClient, auth_header: AuthHeader, intake_settings: IntakeSettings
) -> None:
    headers = {**auth_header(), "Idempotency-Key": "create-apollo-1"}
    first = await intake_client.post("/v1/projects", json=project_body(), headers=headers)
    second = await intake_client.post("/v1/projects", json=project_body(), headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert second.headers["idempotent-replayed"] == "true"
    assert len(await outbox_topics(intake_settings)) == 1
    other = await intake_client.post(
        "/v1/projects", json=project_body(name="Other"), headers=headers
    )
    assert other.status_code == 422


async def test_planned_value_profile_is_validated_and_published(
    intake_client: httpx.AsyncClient, auth_header: AuthHeader, intake_settings: IntakeSettings
) -> None:
    profile = [
        {"date": "2026-03-31", "percent": 10},
        {"date": "2026-06-30", "percent": 40},
        {"date": "2026-12-31", "percent": 100},
    ]
    created = await intake_client.post(
        "/v1/projects", json=project_body(planned_value_profile=profile), headers=auth_header()
    )
    assert created.status_code == 201, created.text
    assert created.json()["planned_value_profile"][1] == {"date": "2026-06-30", "percent": 40.0}
    ((_, envelope),) = await outbox_topics(intake_settings)
    assert envelope["data"]["planned_value_profile"][2]["percent"] == 100.0

    backwards = [{"date": "2026-06-30", "percent": 40}, {"date": "2026-07-31", "percent": 30}]
    refused = await intake_client.post(
        "/v1/projects", json=project_body(planned_value_profile=backwards), headers=auth_header()
    )
    assert refused.status_code == 422
    fields = [error["field"] for error in refused.json()["errors"]]
    assert "body.planned_value_profile.1.percent" in fields
