"""Bad input never gets a 500: strict numbers, plain names and text, web links, examples.

Every refused request answers 422 naming the field, and what was stored before it is intact.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pmo_common.events.envelope import CloudEvent
from pmo_stack.testkit.methodology_data import kanban
from pmo_stack.testkit.openapi_checks import check_request_body_examples, refused_fields
from pmo_standards.api import intervention_schemas, schemas

MANAGER = "pm@corp.example"
MakeHeaders = Callable[..., dict[str, str]]
ReadOutbox = Callable[..., Awaitable[list[CloudEvent]]]
HearOf = Callable[..., Awaitable[str]]


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


# --- bad input on create -----------------------------------------------------------------------

METHODOLOGY, DELIVERABLE, PRACTICE = "methodology", "deliverable", "practice"
# Each create: its path, the valid fields a case's body is merged into, and the URL whose answer
# shows what it stored ({project}: the waterfall project).
CREATES: dict[str, tuple[str, dict[str, Any], str]] = {
    METHODOLOGY: ("/v1/methodologies", {}, "/v1/methodologies/kanban"),
    DELIVERABLE: (
        "/v1/projects/{project}/deliverables",
        {"name": "project_charter", "gate": "charter_approval"},
        "/v1/projects/{project}/compliance",
    ),
    PRACTICE: (
        "/v1/practices",
        {"title": "Weekly risk review", "body": "Walk the register."},
        "/v1/practices",
    ),
}


@pytest.mark.parametrize(
    ("create", "body", "field"),
    [
        (METHODOLOGY, kanban(thresholds={"cpi_amber": True}), "body.thresholds.cpi_amber"),
        (METHODOLOGY, kanban(thresholds={"cpi_amber": "0.9"}), "body.thresholds.cpi_amber"),
        (METHODOLOGY, kanban(report_cadence_days=True), "body.report_cadence_days"),
        (METHODOLOGY, kanban(report_cadence_days="7"), "body.report_cadence_days"),
        (METHODOLOGY, kanban(report_cadence_days=7.5), "body.report_cadence_days"),
        (METHODOLOGY, kanban(name="Kan\u202eban"), "body.name"),
        (METHODOLOGY, kanban(name="Kanban\x1b[2J"), "body.name"),
        (METHODOLOGY, kanban(name=None), "body.name"),
        (METHODOLOGY, kanban(description="Flow\u2066hidden\u2069"), "body.description"),
        (METHODOLOGY, with_gate(name="Flow\x00review"), "body.gates.0.name"),
        (
            METHODOLOGY,
            with_gate(required_deliverables=["board\u200fpolicy"]),
            "body.gates.0.required_deliverables.0",
        ),
        # A deliverable links to an http(s) page and has a plain name.
        (DELIVERABLE, {"url": "javascript:alert(1)"}, "body.url"),
        (DELIVERABLE, {"url": "JavaScript:alert(document.cookie)"}, "body.url"),
        (DELIVERABLE, {"url": "data:text/html,<script>alert(1)</script>"}, "body.url"),
        (DELIVERABLE, {"url": "file:///etc/passwd"}, "body.url"),
        (DELIVERABLE, {"url": "https://"}, "body.url"),
        (DELIVERABLE, {"url": ""}, "body.url"),
        (DELIVERABLE, {"name": "project\u202echarter"}, "body.name"),
        (DELIVERABLE, {"name": "project_charter\x07"}, "body.name"),
        (PRACTICE, {"title": "Weekly\u202erisk review"}, "body.title"),
        (PRACTICE, {"title": "   "}, "body.title"),
        (PRACTICE, {"body": "Walk the register\x00"}, "body.body"),
        (PRACTICE, {"body": "   "}, "body.body"),
        (PRACTICE, {"tags": ["risk\u2068"]}, "body.tags.0"),
        (PRACTICE, {"tags": ["x" * 51]}, "body.tags.0"),
    ],
)
async def test_a_create_with_bad_input_is_refused_and_nothing_is_stored(
    standards_client: httpx.AsyncClient,
    standards_auth: MakeHeaders,
    standards_outbox: ReadOutbox,
    waterfall_project: str,
    create: str,
    body: dict[str, Any],
    field: str,
) -> None:
    path, valid, state_url = CREATES[create]
    path, state_url = (url.format(project=waterfall_project) for url in (path, state_url))
    headers = (
        standards_auth("project_manager", email=MANAGER)
        if create == DELIVERABLE
        else standards_auth("pmo_admin")
    )

    async def stored() -> tuple[int, Any, list[CloudEvent]]:
        answer = await standards_client.get(state_url, headers=headers)
        shown = answer.json()
        if isinstance(shown, dict):  # what changes from one reading to the next
            shown = {k: v for k, v in shown.items() if k not in {"evaluated_at", "correlation_id"}}
        return answer.status_code, shown, await standards_outbox()

    before = await stored()
    response = await standards_client.post(path, json={**valid, **body}, headers=headers)
    assert field in refused_fields(response)
    assert await stored() == before


# --- examples in the OpenAPI --------------------------------------------------------------------


def test_every_request_body_documents_examples_its_model_accepts(standards_app: FastAPI) -> None:
    # The interventions' bodies live in a module of their own, beside api/schemas.py.
    api_models = ModuleType("standards_api_models")
    for module in (schemas, intervention_schemas):
        vars(api_models).update(vars(module))
    bodies = check_request_body_examples(standards_app.openapi(), api_models)
    assert len(bodies) == 10


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
