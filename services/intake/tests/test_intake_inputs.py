"""Bad input never gets a 500: strict numbers, bounded dates, plain names, PATCH nulls, examples.

Every refused request answers 422 naming the field, and the data stored before it is intact.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from fastapi import FastAPI
from pmo_common.db.unit_of_work import unit_of_work
from pmo_intake.api import schemas
from pmo_intake.config import IntakeSettings
from pmo_intake.db import request_repository
from pmo_intake.main import create_app
from pmo_stack.testkit.openapi_checks import check_request_body_examples, refused_fields
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

if TYPE_CHECKING:
    from conftest import Intake


async def listed(
    client: httpx.AsyncClient, path: str, headers: dict[str, str]
) -> list[dict[str, Any]]:
    """The first hundred items of a collection (projects, requests, ...), as the API lists them."""
    response = await client.get(path, headers=headers, params={"limit": 100})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


# --- numbers, dates, names and text on create -------------------------------------------------

PROJECTS, REQUESTS = "/v1/projects", "/v1/requests"
PORTFOLIOS, PROGRAMS = "/v1/portfolios", "/v1/programs"
OWNED = {
    PORTFOLIOS: {"name": "Supply", "owner": "o@example.com"},
    PROGRAMS: {"name": "Robots", "owner": "o@example.com"},
}


@pytest.mark.parametrize(
    ("path", "overrides", "field"),
    [
        (PROJECTS, {"budget": True}, "body.budget"),
        (PROJECTS, {"budget": "100"}, "body.budget"),
        (PROJECTS, {"budget": False}, "body.budget"),
        (
            PROJECTS,
            {"planned_value_profile": [{"date": "2026-06-30", "percent": True}]},
            "body.planned_value_profile.0.percent",
        ),
        (
            PROJECTS,
            {"planned_value_profile": [{"date": "2026-06-30", "percent": "40"}]},
            "body.planned_value_profile.0.percent",
        ),
        (PROJECTS, {"start_date": "9999-12-20", "end_date": "9999-12-31"}, "body.start_date"),
        (PROJECTS, {"start_date": "9999-12-20", "end_date": "9999-12-31"}, "body.end_date"),
        (PROJECTS, {"start_date": "1899-12-31"}, "body.start_date"),
        (
            PROJECTS,
            {"milestones": [{"name": "Go-live", "due_date": "9999-01-01"}]},
            "body.milestones.0.due_date",
        ),
        (
            PROJECTS,
            {"planned_value_profile": [{"date": "2201-01-01", "percent": 50}]},
            "body.planned_value_profile.0.date",
        ),
        (PROJECTS, {"name": "Apollo\u202eevil"}, "body.name"),
        (PROJECTS, {"name": "Apollo\x07"}, "body.name"),
        (PROJECTS, {"name": "Apollo\nsecond line"}, "body.name"),
        (PROJECTS, {"name": "   "}, "body.name"),
        (
            PROJECTS,
            {"milestones": [{"name": "Go\u2066live", "due_date": "2026-03-31"}]},
            "body.milestones.0.name",
        ),
        (PROJECTS, {"external_ref": "ERP\x00-1"}, "body.external_ref"),
        # Portfolio and programme names and descriptions carry no control characters.
        (PORTFOLIOS, {"name": "Supply\u202echain"}, "body.name"),
        (PORTFOLIOS, {"description": "a\x1b[31mred"}, "body.description"),
        (PROGRAMS, {"name": "Robots\x00"}, "body.name"),
        (PROGRAMS, {"description": "\u2067hidden"}, "body.description"),
        # A request's own fields, and the project it proposes (merged into the valid one).
        (REQUESTS, {"title": "New\u202eCRM"}, "body.title"),
        (REQUESTS, {"business_case": "Sales\x00cannot"}, "body.business_case"),
        (REQUESTS, {"project": {"budget": True}}, "body.project.budget"),
        (REQUESTS, {"project": {"end_date": "9999-12-31"}}, "body.project.end_date"),
    ],
)
async def test_a_create_with_bad_input_is_refused_and_nothing_is_stored(
    intake: Intake, path: str, overrides: dict[str, Any], field: str
) -> None:
    if path == PROJECTS:
        body = intake.project_body(**overrides)
    elif path == REQUESTS:
        body = intake.request_body()
        for key, value in overrides.items():
            body[key] = {**body[key], **value} if isinstance(value, dict) else value
    else:
        body = {**OWNED[path], **overrides}
    response = await intake.client.post(path, json=body, headers=intake.auth_header())
    assert field in refused_fields(response)
    assert await listed(intake.client, path, intake.auth_header()) == []
    assert await intake.outbox_events() == []


async def test_the_refused_date_is_named_in_the_problem(intake: Intake) -> None:
    # The project of the issue: dated 9999-12-20 to 9999-12-31 (the forecast overflowed).
    body = intake.project_body(start_date="9999-12-20", end_date="9999-12-31", milestones=[])
    response = await intake.client.post("/v1/projects", json=body, headers=intake.auth_header())
    assert set(refused_fields(response)) == {"body.start_date", "body.end_date"}
    assert "2200-12-31" in response.json()["detail"]


async def test_sound_input_at_the_edges_is_accepted(intake: Intake) -> None:
    body = intake.project_body(
        name="  Zürich \u200dHQ  ",  # surrounding spaces trimmed; joiners are allowed
        start_date="1900-01-01",
        end_date="2200-12-31",
        budget=1,
        milestones=[],
        external_ref="ERP-4711",
    )
    response = await intake.client.post("/v1/projects", json=body, headers=intake.auth_header())
    assert response.status_code == 201, response.text
    assert response.json()["name"] == "Zürich \u200dHQ"
    assert response.json()["budget"] == 1.0


async def test_free_text_keeps_its_line_breaks(intake: Intake) -> None:
    description = "Sourcing,\nwarehousing\tand transport.\r\n"
    response = await intake.client.post(
        "/v1/portfolios",
        json={"name": "Supply", "owner": "o@example.com", "description": description},
        headers=intake.auth_header(),
    )
    assert response.status_code == 201, response.text
    assert response.json()["description"] == description


async def _new_project_and_url(intake: Intake, **fields: Any) -> tuple[dict[str, Any], str]:
    """A new project and its URL."""
    project = await intake.new_project(**fields)
    return project, f"/v1/projects/{project['id']}"


async def test_close_reason_and_decision_comment_are_plain_text(intake: Intake) -> None:
    project, url = await _new_project_and_url(intake)
    refused = await intake.client.post(
        f"{url}/close", json={"reason": "done\u202e"}, headers=intake.auth_header()
    )
    assert refused_fields(refused) == ["body.reason"]
    request_id = await intake.new_request(submit=True)
    blank = await intake.client.post(
        f"/v1/requests/{request_id}/reject",
        json={"reason": " \n\t "},
        headers=intake.auth_header(),
    )
    assert refused_fields(blank) == ["body.reason"]
    assert (await intake.client.get(url, headers=intake.auth_header())).json() == project


# --- PATCH with an explicit null ---------------------------------------------------------------

REFUSED_NULLS = (
    "name",
    "manager",
    "methodology",
    "start_date",
    "end_date",
    "budget",
    "currency",
    "milestones",
    "planned_value_profile",
)


@pytest.mark.parametrize("field", REFUSED_NULLS)
async def test_patch_refuses_null_for_a_field_that_needs_a_value(
    intake: Intake, field: str
) -> None:
    project, url = await _new_project_and_url(intake, external_ref="ERP-1")
    response = await intake.client.patch(url, json={field: None}, headers=intake.auth_header())
    assert refused_fields(response) == [f"body.{field}"]
    assert "null" in response.json()["errors"][0]["reason"]
    assert (await intake.client.get(url, headers=intake.auth_header())).json() == project
    assert [topic for topic, _ in await intake.outbox_events()] == ["project.created"]


async def test_a_null_among_good_changes_refuses_the_whole_patch(intake: Intake) -> None:
    project, url = await _new_project_and_url(intake)
    response = await intake.client.patch(
        url, json={"budget": 150000, "name": None}, headers=intake.auth_header()
    )
    assert refused_fields(response) == ["body.name"]
    assert (await intake.client.get(url, headers=intake.auth_header())).json() == project


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"budget": True}, "body.budget"),
        ({"budget": "100"}, "body.budget"),
        ({"end_date": "9999-12-31"}, "body.end_date"),
        ({"name": "Apollo\u202e"}, "body.name"),
        (
            {"milestones": [{"name": "Go-live", "due_date": "0001-01-01"}]},
            "body.milestones.0.due_date",
        ),
    ],
)
async def test_patch_refuses_what_create_refuses(
    intake: Intake, body: dict[str, Any], field: str
) -> None:
    project, url = await _new_project_and_url(intake)
    response = await intake.client.patch(url, json=body, headers=intake.auth_header())
    assert field in refused_fields(response)
    assert (await intake.client.get(url, headers=intake.auth_header())).json() == project


async def test_patch_clears_the_fields_that_may_be_empty(intake: Intake) -> None:
    portfolio = await intake.client.post(
        "/v1/portfolios",
        json={"name": "Supply", "owner": "o@example.com"},
        headers=intake.auth_header(),
    )
    project = await intake.new_project(portfolio_id=portfolio.json()["id"], external_ref="ERP-1")
    assert project["sponsor"] == "grace@example.com"
    cleared = await intake.client.patch(
        f"/v1/projects/{project['id']}",
        json={"sponsor": None, "portfolio_id": None, "program_id": None, "external_ref": None},
        headers=intake.auth_header(),
    )
    assert cleared.status_code == 200, cleared.text
    body = cleared.json()
    assert body["sponsor"] is None and body["portfolio_id"] is None
    assert body["external_ref"] is None and body["version"] == 2
    assert body["name"] == project["name"] and body["budget"] == project["budget"]
    events = await intake.outbox_events()
    assert events[-1][1]["data"]["changed_fields"] == ["external_ref", "portfolio_id", "sponsor"]


@pytest.mark.parametrize("field", ["title", "project"])
async def test_request_patch_refuses_null_title_and_project(intake: Intake, field: str) -> None:
    created = await intake.client.post(
        "/v1/requests", json=intake.request_body(), headers=intake.auth_header()
    )
    url = f"/v1/requests/{created.json()['id']}"
    response = await intake.client.patch(url, json={field: None}, headers=intake.auth_header())
    assert refused_fields(response) == [f"body.{field}"]
    assert (await intake.client.get(url, headers=intake.auth_header())).json() == created.json()


async def test_approving_a_proposal_stored_before_the_rules_answers_422(
    intake: Intake, intake_sessions: async_sessionmaker[AsyncSession]
) -> None:
    # A submitted request as stored before today's input rules, proposing a project dated in
    # 9999: submitted through the API, then its stored proposal rewritten as the old rules let it.
    body = intake.request_body()
    created = await intake.client.post("/v1/requests", json=body, headers=intake.auth_header())
    request_id = created.json()["id"]
    url = f"/v1/requests/{request_id}"
    assert (
        await intake.client.post(f"{url}/submit", headers=intake.auth_header())
    ).status_code == 200
    proposal = {**body["project"], "start_date": "9999-12-20", "end_date": "9999-12-31"}
    async with intake_sessions() as session, unit_of_work(session):
        stored = await request_repository.get_request(session, request_id=request_id)
        assert stored is not None
        legacy = replace(stored, proposal=proposal)
        await request_repository.update_request(session, request=legacy)
    before = (await intake.client.get(url, headers=intake.auth_header())).json()
    assert before["project"]["start_date"] == "9999-12-20"
    response = await intake.client.post(f"{url}/approve", headers=intake.auth_header())
    assert set(refused_fields(response)) == {"project.start_date", "project.end_date"}
    assert (await intake.client.get(url, headers=intake.auth_header())).json() == before
    assert await listed(intake.client, PROJECTS, intake.auth_header()) == []


# --- examples in the OpenAPI --------------------------------------------------------------------


@pytest.fixture
def intake_openapi(intake_settings: IntakeSettings) -> dict[str, Any]:
    """The OpenAPI document of the app."""
    app: FastAPI = create_app(intake_settings)
    return app.openapi()


def test_every_request_body_documents_examples_its_model_accepts(
    intake_openapi: dict[str, Any],
) -> None:
    bodies = check_request_body_examples(intake_openapi, schemas)
    assert len(bodies) == 21
    assert bodies["POST /v1/portfolios/{portfolio_id}/members"] == "MemberIn"


def test_a_patch_documents_null_only_where_it_is_accepted(intake_openapi: dict[str, Any]) -> None:
    components = intake_openapi["components"]["schemas"]
    for name, model in (
        ("ProjectPatch", schemas.ProjectPatch),
        ("RequestPatch", schemas.RequestPatch),
        ("BaselineChangesIn", schemas.BaselineChangesIn),
        ("PortfolioPatch", schemas.PortfolioPatch),
        ("ProgramPatch", schemas.ProgramPatch),
    ):
        for field, field_schema in components[name]["properties"].items():
            takes_null = {"type": "null"} in field_schema.get("anyOf", [])
            assert takes_null == (field in model.nullable), (name, field)


async def test_the_documented_examples_are_accepted_by_the_api(
    intake: Intake, intake_openapi: dict[str, Any]
) -> None:
    components = intake_openapi["components"]["schemas"]
    admin = intake.auth_header()
    for path, name in (
        ("/v1/portfolios", "PortfolioCreate"),
        ("/v1/programs", "ProgramCreate"),
        ("/v1/projects", "ProjectCreate"),
        ("/v1/requests", "RequestCreate"),
    ):
        response = await intake.client.post(
            path, json=components[name]["examples"][0], headers=admin
        )
        assert response.status_code == 201, (name, response.text)
    project = (await listed(intake.client, PROJECTS, admin))[0]
    for example in components["ProjectPatch"]["examples"]:
        patched = await intake.client.patch(
            f"/v1/projects/{project['id']}", json=example, headers=admin
        )
        assert patched.status_code == 200, (example, patched.text)
