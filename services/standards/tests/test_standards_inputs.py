"""Bad input never gets a 500: strict numbers, plain names and text, web links, examples.

Every refused request answers 422 naming the field, and what was stored before it is intact.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pmo_common.events.envelope import CloudEvent
from pmo_common.web.inputs import StrictInput
from pmo_standards.api import schemas
from pydantic import BaseModel

MANAGER = "pm@corp.example"
MakeHeaders = Callable[..., dict[str, str]]
ReadOutbox = Callable[..., Awaitable[list[CloudEvent]]]
HearOf = Callable[..., Awaitable[str]]


def refused_fields(response: httpx.Response) -> list[str]:
    """The fields a 422 problem names (fails on any other answer)."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return [error["field"] for error in response.json()["errors"]]


def kanban(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "key": "kanban",
        "name": "Kanban",
        "phases": ["discovery", "flow"],
        "gates": [
            {
                "key": "flow_review",
                "name": "Flow review",
                "phase": "flow",
                "required_deliverables": ["board_policy"],
            }
        ],
        "report_cadence_days": 7,
        "thresholds": {"spi_amber": 0.9, "spi_red": 0.8},
    }
    body.update(overrides)
    return body


def with_gate(**gate: Any) -> dict[str, Any]:
    """A kanban body whose one gate has these fields changed."""
    body = kanban()
    body["gates"] = [{**body["gates"][0], **gate}]
    return body


@pytest.fixture
async def waterfall_project(standards_project: HearOf) -> str:
    """A waterfall project managed by MANAGER, as heard from intake."""
    return await standards_project(manager=MANAGER, methodology="waterfall")


# --- methodologies ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (kanban(thresholds={"cpi_amber": True}), "body.thresholds.cpi_amber"),
        (kanban(thresholds={"cpi_amber": "0.9"}), "body.thresholds.cpi_amber"),
        (kanban(report_cadence_days=True), "body.report_cadence_days"),
        (kanban(report_cadence_days="7"), "body.report_cadence_days"),
        (kanban(report_cadence_days=7.5), "body.report_cadence_days"),
        (kanban(name="Kan\u202eban"), "body.name"),
        (kanban(name="Kanban\x1b[2J"), "body.name"),
        (kanban(name=None), "body.name"),
        (kanban(description="Flow\u2066hidden\u2069"), "body.description"),
        (with_gate(name="Flow\x00review"), "body.gates.0.name"),
        (
            with_gate(required_deliverables=["board\u200fpolicy"]),
            "body.gates.0.required_deliverables.0",
        ),
    ],
)
async def test_a_methodology_with_bad_input_is_refused_and_not_published(
    standards_client: httpx.AsyncClient,
    standards_auth: MakeHeaders,
    standards_outbox: ReadOutbox,
    body: dict[str, Any],
    field: str,
) -> None:
    admin = standards_auth("pmo_admin")
    response = await standards_client.post("/v1/methodologies", json=body, headers=admin)
    assert field in refused_fields(response)
    assert (
        await standards_client.get("/v1/methodologies/kanban", headers=admin)
    ).status_code == 404
    published = await standards_outbox("standards.methodology.published")
    assert "kanban" not in {event.subject for event in published}


async def test_non_finite_thresholds_are_refused(
    standards_client: httpx.AsyncClient, standards_auth: MakeHeaders
) -> None:
    # Python's JSON reader takes NaN and Infinity; they are not numbers a tolerance can be.
    for literal in ("NaN", "Infinity", "-Infinity"):
        content = json.dumps(kanban(thresholds={})).replace(
            '"thresholds": {}', f'"thresholds": {{"cpi_amber": {literal}}}'
        )
        response = await standards_client.post(
            "/v1/methodologies",
            content=content,
            headers={**standards_auth("pmo_admin"), "Content-Type": "application/json"},
        )
        assert "body.thresholds.cpi_amber" in refused_fields(response), literal


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"version": True}, "body.version"),
        ({"version": "1"}, "body.version"),
        ({"thresholds": {"cpi_amber": False}}, "body.thresholds.cpi_amber"),
        ({"name": None}, "body.name"),
        ({"name": "Waterfall\u202e"}, "body.name"),
    ],
)
async def test_a_revision_with_bad_input_leaves_the_methodology_as_it_was(
    standards_client: httpx.AsyncClient,
    standards_auth: MakeHeaders,
    change: dict[str, Any],
    field: str,
) -> None:
    admin = standards_auth("pmo_admin")
    current = (await standards_client.get("/v1/methodologies/waterfall", headers=admin)).json()
    revision = {
        key: current[key]
        for key in ("name", "description", "phases", "gates", "report_cadence_days", "thresholds")
    }
    response = await standards_client.put(
        "/v1/methodologies/waterfall", json={**revision, **change}, headers=admin
    )
    assert field in refused_fields(response)
    after = await standards_client.get("/v1/methodologies/waterfall", headers=admin)
    assert after.json() == current


async def test_sound_names_are_trimmed_and_keep_their_joiners(
    standards_client: httpx.AsyncClient, standards_auth: MakeHeaders
) -> None:
    body = kanban(name="  Kanban \U0001f468\u200d\U0001f4bb  ", description="Two lines:\nflow.")
    response = await standards_client.post(
        "/v1/methodologies", json=body, headers=standards_auth("pmo_admin")
    )
    assert response.status_code == 201, response.text
    assert response.json()["name"] == "Kanban \U0001f468\u200d\U0001f4bb"
    assert response.json()["description"] == "Two lines:\nflow."


# --- deliverables and gate decisions ------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "javascript:alert(1)"}, "body.url"),
        ({"url": "JavaScript:alert(document.cookie)"}, "body.url"),
        ({"url": "data:text/html,<script>alert(1)</script>"}, "body.url"),
        ({"url": "file:///etc/passwd"}, "body.url"),
        ({"url": "https://"}, "body.url"),
        ({"url": ""}, "body.url"),
        ({"name": "project\u202echarter"}, "body.name"),
        ({"name": "project_charter\x07"}, "body.name"),
    ],
)
async def test_a_deliverable_with_bad_input_is_refused_and_not_filed(
    standards_client: httpx.AsyncClient,
    standards_auth: MakeHeaders,
    standards_outbox: ReadOutbox,
    waterfall_project: str,
    body: dict[str, Any],
    field: str,
) -> None:
    manager = standards_auth("project_manager", email=MANAGER)
    compliance_url = f"/v1/projects/{waterfall_project}/compliance"
    before = (await standards_client.get(compliance_url, headers=manager)).json()
    response = await standards_client.post(
        f"/v1/projects/{waterfall_project}/deliverables",
        json={"name": "project_charter", "gate": "charter_approval", **body},
        headers=manager,
    )
    assert field in refused_fields(response)
    after = (await standards_client.get(compliance_url, headers=manager)).json()
    assert after["submitted_count"] == 0
    assert {k: v for k, v in after.items() if k != "evaluated_at"} == {
        k: v for k, v in before.items() if k != "evaluated_at"
    }
    assert await standards_outbox("project.compliance.evaluated") == []


async def test_a_deliverable_links_to_an_http_or_https_page(
    standards_client: httpx.AsyncClient, standards_auth: MakeHeaders, waterfall_project: str
) -> None:
    manager = standards_auth("project_manager", email=MANAGER)
    for url in ("https://docs.example.com/charter.pdf", "http://intranet.example/charter"):
        response = await standards_client.post(
            f"/v1/projects/{waterfall_project}/deliverables",
            json={"name": "project_charter", "gate": "charter_approval", "url": url},
            headers=manager,
        )
        assert response.status_code == 201, response.text
        assert response.json()["deliverable"]["url"] == url


async def test_a_gate_decision_comment_is_plain_text(
    standards_client: httpx.AsyncClient,
    standards_auth: MakeHeaders,
    standards_outbox: ReadOutbox,
    waterfall_project: str,
) -> None:
    response = await standards_client.post(
        f"/v1/projects/{waterfall_project}/gates/charter_approval/decision",
        json={"decision": "approved", "comment": "fine\u202e"},
        headers=standards_auth("pmo_admin"),
    )
    assert refused_fields(response) == ["body.comment"]
    assert await standards_outbox("project.gate.decided") == []


# --- practices ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "Weekly\u202erisk review"}, "body.title"),
        ({"title": "   "}, "body.title"),
        ({"body": "Walk the register\x00"}, "body.body"),
        ({"body": "   "}, "body.body"),
        ({"tags": ["risk\u2068"]}, "body.tags.0"),
        ({"tags": ["x" * 51]}, "body.tags.0"),
    ],
)
async def test_a_practice_with_bad_input_is_refused_and_not_stored(
    standards_client: httpx.AsyncClient,
    standards_auth: MakeHeaders,
    body: dict[str, Any],
    field: str,
) -> None:
    admin = standards_auth("pmo_admin")
    practice = {"title": "Weekly risk review", "body": "Walk the register.", **body}
    response = await standards_client.post("/v1/practices", json=practice, headers=admin)
    assert field in refused_fields(response)
    assert (await standards_client.get("/v1/practices", headers=admin)).json()["items"] == []


# --- examples in the OpenAPI --------------------------------------------------------------------


def input_models() -> dict[str, type[BaseModel]]:
    """The request body models of the API, by their OpenAPI name."""
    return {
        name: model
        for name, model in vars(schemas).items()
        if isinstance(model, type) and issubclass(model, StrictInput) and model is not StrictInput
    }


def body_schemas(openapi: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(operation, component name) of every request body of the document."""
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            if "requestBody" not in operation:
                continue
            schema = operation["requestBody"]["content"]["application/json"]["schema"]
            options = schema.get("anyOf", [schema])  # an optional body: the model or null
            refs = [option["$ref"] for option in options if "$ref" in option]
            assert len(refs) == 1, (method, path, schema)
            yield f"{method.upper()} {path}", refs[0].rsplit("/", 1)[-1]


def test_every_request_body_documents_an_example(standards_app: FastAPI) -> None:
    openapi = standards_app.openapi()
    components = openapi["components"]["schemas"]
    bodies = dict(body_schemas(openapi))
    assert len(bodies) == 5
    for operation, name in bodies.items():
        assert name in input_models(), (operation, name)
        assert components[name].get("examples"), f"{operation}: {name} documents no example"


def test_every_documented_example_is_valid_for_its_model(standards_app: FastAPI) -> None:
    models = input_models()
    checked = 0
    for name, component in standards_app.openapi()["components"]["schemas"].items():
        for example in component.get("examples", []):
            assert name in models, f"{name} documents examples but is no input model"
            models[name].model_validate_json(json.dumps(example))
            checked += 1
    assert checked >= len(models) - 1  # MethodologyContent is a base, never a body itself


async def test_the_documented_examples_are_accepted_by_the_api(
    standards_app: FastAPI,
    standards_client: httpx.AsyncClient,
    standards_auth: MakeHeaders,
    waterfall_project: str,
) -> None:
    examples = {
        name: component["examples"]
        for name, component in standards_app.openapi()["components"]["schemas"].items()
        if "examples" in component
    }
    admin = standards_auth("pmo_admin")
    posts = [
        ("/v1/methodologies", examples["MethodologyIn"][0]),
        ("/v1/practices", examples["PracticeIn"][0]),
        *((f"/v1/projects/{waterfall_project}/deliverables", e) for e in examples["DeliverableIn"]),
        (
            f"/v1/projects/{waterfall_project}/gates/charter_approval/decision",
            examples["GateDecisionIn"][0],
        ),
    ]
    for path, example in posts:
        response = await standards_client.post(path, json=example, headers=admin)
        assert response.status_code == 201, (path, response.text)
    key = examples["MethodologyIn"][0]["key"]
    for example in examples["MethodologyRevisionIn"]:
        response = await standards_client.put(
            f"/v1/methodologies/{key}", json=example, headers=admin
        )
        assert response.status_code == 200, (example, response.text)
