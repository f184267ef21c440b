"""/v1/methodologies: seeds, validation, authorisation, versioning and published events."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from fastapi import FastAPI
from pmo_common.events.envelope import CloudEvent
from pmo_common.events.payloads import MethodologyPublished
from pmo_stack.testkit.methodology_data import kanban
from pmo_standards.config import StandardsSettings
from pmo_standards.main import create_app

PUBLISHED = "standards.methodology.published"
ADMIN = "admin@pmo.example"
MakeHeaders = Callable[..., dict[str, str]]
ReadOutbox = Callable[..., Awaitable[list[CloudEvent]]]


def error_fields(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return [error["field"] for error in response.json()["errors"]]


async def test_seeded_methodologies_are_served_with_their_thresholds(
    standards_client: httpx.AsyncClient, standards_auth: MakeHeaders
) -> None:
    response = await standards_client.get(
        "/v1/methodologies", headers=standards_auth("viewer"), params={"limit": 10}
    )
    assert response.status_code == 200
    page = response.json()
    by_key = {item["key"]: item for item in page["items"]}
    assert set(by_key) == {"hybrid", "prince2", "scrum", "waterfall"}
    assert page["next_offset"] is None
    waterfall = by_key["waterfall"]
    assert waterfall["version"] == 1
    assert waterfall["report_cadence_days"] == 14
    assert waterfall["thresholds"]["cpi_amber"] == 0.95
    assert waterfall["thresholds"]["cpi_red"] == 0.90
    assert waterfall["thresholds"]["eac_red_ratio"] == 1.10
    assert waterfall["phases"][0] == "initiating" and waterfall["phases"][-1] == "closing"
    assert by_key["prince2"]["thresholds"] != waterfall["thresholds"]
    assert by_key["scrum"]["thresholds"]["spi_red"] < waterfall["thresholds"]["spi_red"]


async def test_seeding_publishes_each_methodology_once_even_across_restarts(
    standards_settings: StandardsSettings, standards_outbox: ReadOutbox
) -> None:
    first = await standards_outbox(PUBLISHED)
    assert sorted(event.subject or "" for event in first) == [
        "hybrid",
        "prince2",
        "scrum",
        "waterfall",
    ]
    payload = MethodologyPublished.model_validate(first[0].data)
    assert payload.version == 1 and payload.thresholds["report_cadence_days"] == 14
    assert payload.gates and payload.gates[0].required_deliverables

    second_start = create_app(standards_settings)
    async with second_start.router.lifespan_context(second_start):
        pass
    assert len(await standards_outbox(PUBLISHED)) == 4


async def test_list_is_paginated(
    standards_client: httpx.AsyncClient, standards_auth: MakeHeaders
) -> None:
    response = await standards_client.get(
        "/v1/methodologies", headers=standards_auth("viewer"), params={"limit": 3}
    )
    page = response.json()
    assert [item["key"] for item in page["items"]] == ["hybrid", "prince2", "scrum"]
    assert page["next_offset"] == 3
    too_big = await standards_client.get(
        "/v1/methodologies", headers=standards_auth("viewer"), params={"limit": 10_000}
    )
    assert too_big.status_code == 422


async def test_unknown_methodology_is_a_404_problem(
    standards_client: httpx.AsyncClient,
    standards_auth: MakeHeaders,
    standards_problem: Callable[[httpx.Response, int], dict[str, Any]],
) -> None:
    response = await standards_client.get(
        "/v1/methodologies/lean", headers=standards_auth("project_manager")
    )
    assert "lean" in standards_problem(response, 404)["detail"]


async def test_routes_need_a_token_and_publishing_needs_pmo_admin(
    standards_client: httpx.AsyncClient, standards_auth: MakeHeaders
) -> None:
    assert (await standards_client.get("/v1/methodologies")).status_code == 401
    assert (await standards_client.post("/v1/methodologies", json=kanban())).status_code == 401
    for role in ("viewer", "project_manager", "portfolio_manager"):
        response = await standards_client.post(
            "/v1/methodologies", json=kanban(), headers=standards_auth(role)
        )
        assert response.status_code == 403, role
        assert response.headers["content-type"].startswith("application/problem+json")
    put = await standards_client.put(
        "/v1/methodologies/waterfall", json=kanban(key=None), headers=standards_auth("viewer")
    )
    assert put.status_code == 403
    no_roles = await standards_client.get("/v1/methodologies", headers=standards_auth())
    assert no_roles.status_code == 403


async def test_create_stores_version_one_and_publishes_it(
    standards_client: httpx.AsyncClient,
    standards_auth: MakeHeaders,
    standards_outbox: ReadOutbox,
) -> None:
    response = await standards_client.post(
        "/v1/methodologies", json=kanban(), headers=standards_auth("pmo_admin", email=ADMIN)
    )
    assert response.status_code == 201, response.text
    assert response.headers["location"] == "/v1/methodologies/kanban"
    created = response.json()
    assert created["version"] == 1 and created["published_by"] == ADMIN
    assert created["thresholds"] == {"spi_amber": 0.9, "spi_red": 0.8, "report_cadence_days": 7}

    events = [e for e in await standards_outbox(PUBLISHED) if e.subject == "kanban"]
    assert len(events) == 1
    payload = MethodologyPublished.model_validate(events[0].data)
    assert payload.version == 1 and payload.report_cadence_days == 7
    assert payload.gates[0].required_deliverables == ["board_policy", "service_level_expectation"]

    again = await standards_client.post(
        "/v1/methodologies", json=kanban(name="Other"), headers=standards_auth("pmo_admin")
    )
    assert again.status_code == 409
    assert "kanban" in again.json()["detail"]


async def test_validation_problems_name_the_field(
    standards_client: httpx.AsyncClient, standards_auth: MakeHeaders
) -> None:
    admin = standards_auth("pmo_admin")
    cases = [
        (kanban(key="Kanban Board"), "body.key"),
        (kanban(thresholds={"cpi_yellow": 0.9}), "body.thresholds.cpi_yellow"),
        (kanban(thresholds={"cpi_amber": 0.9, "cpi_red": 0.95}), "body.thresholds.cpi_red"),
        (kanban(thresholds={"spi_amber": 0.8, "spi_red": 0.9}), "body.thresholds.spi_red"),
        (
            kanban(thresholds={"eac_amber_ratio": 1.2, "eac_red_ratio": 1.1}),
            "body.thresholds.eac_red_ratio",
        ),
        (kanban(report_cadence_days=0), "body.report_cadence_days"),
        (kanban(report_cadence_days=91), "body.report_cadence_days"),
        (kanban(thresholds={"cpi_amber": "high"}), "body.thresholds.cpi_amber"),
        (kanban(colour="blue"), "body.colour"),
        (kanban(phases=[]), "body.phases"),
    ]
    for body, field in cases:
        response = await standards_client.post("/v1/methodologies", json=body, headers=admin)
        assert field in error_fields(response), (body, response.json())
    unknown = await standards_client.post(
        "/v1/methodologies", json=kanban(thresholds={"cpi_yellow": 0.9}), headers=admin
    )
    assert "cpi_amber" in unknown.json()["errors"][0]["reason"]  # says what is known


async def test_put_publishes_the_next_version_and_ignores_an_unchanged_one(
    standards_client: httpx.AsyncClient,
    standards_auth: MakeHeaders,
    standards_outbox: ReadOutbox,
) -> None:
    admin = standards_auth("pmo_admin", email=ADMIN)
    current = (await standards_client.get("/v1/methodologies/waterfall", headers=admin)).json()
    revision = {
        key: current[key]
        for key in ("name", "description", "phases", "gates", "report_cadence_days", "thresholds")
    }
    revision["thresholds"] = {**current["thresholds"], "cpi_amber": 0.93}

    response = await standards_client.put(
        "/v1/methodologies/waterfall", json={**revision, "version": 1}, headers=admin
    )
    assert response.status_code == 200, response.text
    assert response.json()["version"] == 2
    assert response.json()["thresholds"]["cpi_amber"] == 0.93

    unchanged = await standards_client.put(
        "/v1/methodologies/waterfall", json=revision, headers=admin
    )
    assert unchanged.json()["version"] == 2

    versions = [
        MethodologyPublished.model_validate(e.data).version
        for e in await standards_outbox(PUBLISHED)
        if e.subject == "waterfall"
    ]
    assert versions == [1, 2]

    stale = await standards_client.put(
        "/v1/methodologies/waterfall", json={**revision, "version": 1, "name": "W"}, headers=admin
    )
    assert stale.status_code == 409
    mismatch = await standards_client.put(
        "/v1/methodologies/waterfall", json={**revision, "key": "scrum"}, headers=admin
    )
    assert "body.key" in error_fields(mismatch)
    missing = await standards_client.put("/v1/methodologies/lean", json=revision, headers=admin)
    assert missing.status_code == 404


async def test_openapi_documents_the_routes(standards_app: FastAPI) -> None:
    paths = standards_app.openapi()["paths"]
    for path in (
        "/v1/methodologies",
        "/v1/methodologies/{key}",
        "/v1/projects/{project_id}/compliance",
        "/v1/projects/{project_id}/deliverables",
        "/v1/projects/{project_id}/gates/{gate}/decision",
        "/v1/practices",
    ):
        assert path in paths
    assert set(paths["/v1/methodologies/{key}"]) == {"get", "put"}
