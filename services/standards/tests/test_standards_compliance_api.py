"""/v1/projects/{id}: compliance, deliverables and gate decisions, with their events."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from pmo_common.events.envelope import CloudEvent
from pmo_common.events.payloads import ComplianceEvaluated, GateDecided

MANAGER = "pm@corp.example"
PORTFOLIO = "portfolio-north"
MakeHeaders = Callable[..., dict[str, str]]
MakeEvent = Callable[..., CloudEvent]
Deliver = Callable[..., Awaitable[list[str]]]
ReadOutbox = Callable[..., Awaitable[list[CloudEvent]]]
HearOf = Callable[..., Awaitable[str]]
Join = Callable[..., Awaitable[dict[str, str]]]
Problem = Callable[[httpx.Response, int], dict[str, Any]]


@pytest.fixture
async def waterfall_project(standards_project: HearOf) -> str:
    """A waterfall project managed by MANAGER, as heard from intake."""
    return await standards_project(manager=MANAGER, methodology="waterfall", portfolio_id=PORTFOLIO)


async def test_unknown_project_is_a_404_that_says_standards_has_not_heard_of_it(
    standards_client: httpx.AsyncClient, standards_auth: MakeHeaders, standards_problem: Problem
) -> None:
    response = await standards_client.get(
        "/v1/projects/nope/compliance", headers=standards_auth("pmo_admin")
    )
    assert "not heard of this project yet" in standards_problem(response, 404)["detail"]


async def test_a_fresh_project_scores_zero_with_every_gate_listed(
    standards_client: httpx.AsyncClient, standards_auth: MakeHeaders, waterfall_project: str
) -> None:
    response = await standards_client.get(
        f"/v1/projects/{waterfall_project}/compliance", headers=standards_auth("viewer")
    )
    assert response.status_code == 200
    body = response.json()
    assert body["methodology"] == "waterfall" and body["methodology_version"] == 1
    assert body["score"] == 0.0 and body["compliant"] is False
    assert body["required_count"] == 14 and body["submitted_count"] == 0
    assert [g["key"] for g in body["gates"]] == [
        "charter_approval",
        "plan_approval",
        "delivery_acceptance",
        "project_closure",
    ]
    assert all(not g["met"] and g["decision"] is None for g in body["gates"])
    assert len(body["findings"]) == 4


async def test_filing_deliverables_raises_the_score_and_publishes_the_evaluation(
    standards_client: httpx.AsyncClient,
    standards_auth: MakeHeaders,
    standards_outbox: ReadOutbox,
    waterfall_project: str,
) -> None:
    manager = standards_auth("project_manager", email=MANAGER)
    url = f"/v1/projects/{waterfall_project}/deliverables"
    for name in ("Project Charter", "stakeholder_register"):
        response = await standards_client.post(
            url,
            json={"name": name, "gate": "charter_approval", "url": "https://docs/x"},
            headers=manager,
        )
        assert response.status_code == 201, response.text
    body = response.json()
    assert body["deliverable"] == {
        "gate": "charter_approval",
        "name": "stakeholder_register",
        "url": "https://docs/x",
        "submitted_by": MANAGER,
        "submitted_at": body["deliverable"]["submitted_at"],
    }
    assert body["compliance"]["submitted_count"] == 2
    assert body["compliance"]["score"] == round(2 / 14, 4)

    # Filing the same deliverable again replaces it rather than counting it twice.
    await standards_client.post(
        url, json={"name": "project_charter", "gate": "charter_approval"}, headers=manager
    )
    compliance = (
        await standards_client.get(f"/v1/projects/{waterfall_project}/compliance", headers=manager)
    ).json()
    assert compliance["submitted_count"] == 2
    charter = compliance["gates"][0]
    assert charter["submitted_deliverables"] == ["project_charter", "stakeholder_register"]
    assert charter["missing_deliverables"] == ["business_case"]
    assert {d["name"] for d in charter["deliverables"]} == set(charter["submitted_deliverables"])

    events = await standards_outbox("project.compliance.evaluated")
    assert len(events) == 3 and {e.subject for e in events} == {waterfall_project}
    last = ComplianceEvaluated.model_validate(events[-1].data)
    assert last.project_id == waterfall_project and last.methodology == "waterfall"
    assert last.score == round(2 / 14, 4) and not last.compliant
    assert any("business_case" in finding.message for finding in last.findings)


async def test_every_required_deliverable_makes_the_project_compliant(
    standards_client: httpx.AsyncClient,
    standards_auth: MakeHeaders,
    standards_project: HearOf,
) -> None:
    project_id = await standards_project(methodology="scrum")
    admin = standards_auth("pmo_admin")
    scrum = (await standards_client.get("/v1/methodologies/scrum", headers=admin)).json()
    for gate in scrum["gates"]:
        for name in gate["required_deliverables"]:
            response = await standards_client.post(
                f"/v1/projects/{project_id}/deliverables",
                json={"name": name, "gate": gate["key"]},
                headers=admin,
            )
            assert response.status_code == 201
    final = response.json()["compliance"]
    assert final["score"] == 1.0 and final["compliant"] and final["findings"] == []
    assert all(g["met"] for g in final["gates"])


async def test_a_deliverable_no_gate_requires_is_refused_naming_the_field(
    standards_client: httpx.AsyncClient,
    standards_auth: MakeHeaders,
    standards_outbox: ReadOutbox,
    waterfall_project: str,
) -> None:
    admin = standards_auth("pmo_admin")
    url = f"/v1/projects/{waterfall_project}/deliverables"
    cases = [
        ({"name": "pizza_menu", "gate": "charter_approval"}, "body.name"),
        ({"name": "project_charter", "gate": "plan_approval"}, "body.gate"),
        ({"name": "project_charter", "gate": "launch"}, "body.gate"),
        ({"name": "", "gate": "charter_approval"}, "body.name"),
        ({"name": "project_charter", "gate": "charter_approval", "extra": 1}, "body.extra"),
    ]
    for body, field in cases:
        response = await standards_client.post(url, json=body, headers=admin)
        assert response.status_code == 422, body
        assert [e["field"] for e in response.json()["errors"]] == [field], response.json()
    assert await standards_outbox("project.compliance.evaluated") == []


async def test_project_managers_see_and_file_only_for_their_own_projects(
    standards_client: httpx.AsyncClient,
    standards_auth: MakeHeaders,
    standards_member: Join,
    waterfall_project: str,
) -> None:
    compliance = f"/v1/projects/{waterfall_project}/compliance"
    deliverables = f"/v1/projects/{waterfall_project}/deliverables"
    body = {"name": "project_charter", "gate": "charter_approval"}
    other = standards_auth("project_manager", email="other.pm@corp.example")
    assert (await standards_client.get(compliance, headers=other)).status_code == 403
    assert (await standards_client.post(deliverables, json=body, headers=other)).status_code == 403

    own = standards_auth("project_manager", email=MANAGER.upper())  # e-mails ignore case
    assert (await standards_client.get(compliance, headers=own)).status_code == 200

    member = await standards_member(PORTFOLIO, "pf@corp.example")
    for reader in (standards_auth("viewer"), member):
        assert (await standards_client.get(compliance, headers=reader)).status_code == 200
        response = await standards_client.post(deliverables, json=body, headers=reader)
        assert response.status_code == 403, reader
    assert (await standards_client.get(compliance)).status_code == 401


async def test_a_portfolio_manager_reads_only_the_compliance_of_their_portfolios(
    standards_client: httpx.AsyncClient,
    standards_auth: MakeHeaders,
    standards_member: Join,
    standards_project: HearOf,
    waterfall_project: str,
) -> None:
    elsewhere = await standards_project(manager=MANAGER, portfolio_id="portfolio-other")
    manager_elsewhere = await standards_member("portfolio-other", "other.pf@corp.example")
    refused = await standards_client.get(
        f"/v1/projects/{waterfall_project}/compliance", headers=manager_elsewhere
    )
    assert refused.status_code == 403, refused.text
    assert "member of its portfolio" in refused.json()["detail"]
    read = await standards_client.get(
        f"/v1/projects/{elsewhere}/compliance", headers=manager_elsewhere
    )
    assert read.status_code == 200, read.text
    # Without membership the role alone reads nothing (the PMO-wide viewer role still does).
    bare = standards_auth("portfolio_manager", email="nobody@corp.example")
    assert (
        await standards_client.get(f"/v1/projects/{elsewhere}/compliance", headers=bare)
    ).status_code == 403


async def test_gate_decision_is_recorded_and_published(
    standards_client: httpx.AsyncClient,
    standards_auth: MakeHeaders,
    standards_outbox: ReadOutbox,
    waterfall_project: str,
) -> None:
    admin = standards_auth("pmo_admin", email="admin@pmo.example")
    url = f"/v1/projects/{waterfall_project}/gates/charter_approval/decision"
    response = await standards_client.post(
        url, json={"decision": "conditional", "comment": "Business case by Friday"}, headers=admin
    )
    assert response.status_code == 201, response.text
    decision = response.json()
    assert decision["decision"] == "conditional" and decision["decided_by"] == "admin@pmo.example"
    assert decision["methodology"] == "waterfall" and decision["methodology_version"] == 1

    await standards_client.post(url, json={"decision": "approved"}, headers=admin)
    compliance = (
        await standards_client.get(f"/v1/projects/{waterfall_project}/compliance", headers=admin)
    ).json()
    assert compliance["gates"][0]["decision"]["decision"] == "approved"  # the latest counts

    events = await standards_outbox("project.gate.decided")
    assert [GateDecided.model_validate(e.data).decision for e in events] == [
        "conditional",
        "approved",
    ]
    first = GateDecided.model_validate(events[0].data)
    assert first.project_id == waterfall_project and first.gate == "charter_approval"
    assert first.comment == "Business case by Friday" and events[0].subject == waterfall_project


async def test_gate_decision_refusals(
    standards_client: httpx.AsyncClient,
    standards_auth: MakeHeaders,
    standards_outbox: ReadOutbox,
    waterfall_project: str,
) -> None:
    base = f"/v1/projects/{waterfall_project}/gates"
    admin = standards_auth("pmo_admin")
    unknown_gate = await standards_client.post(
        f"{base}/sprint_review/decision", json={"decision": "approved"}, headers=admin
    )
    assert unknown_gate.status_code == 404
    assert "charter_approval" in unknown_gate.json()["detail"]
    unknown_project = await standards_client.post(
        "/v1/projects/nope/gates/charter_approval/decision",
        json={"decision": "approved"},
        headers=admin,
    )
    assert unknown_project.status_code == 404
    bad = await standards_client.post(
        f"{base}/charter_approval/decision", json={"decision": "maybe"}, headers=admin
    )
    assert [e["field"] for e in bad.json()["errors"]] == ["body.decision"]
    manager = standards_auth("project_manager", email=MANAGER)
    forbidden = await standards_client.post(
        f"{base}/charter_approval/decision", json={"decision": "approved"}, headers=manager
    )
    assert forbidden.status_code == 403
    assert await standards_outbox("project.gate.decided") == []


async def test_a_closed_project_is_readable_but_its_gates_no_longer_move(
    standards_client: httpx.AsyncClient,
    standards_auth: MakeHeaders,
    standards_closed_event: MakeEvent,
    standards_deliver: Deliver,
    waterfall_project: str,
) -> None:
    await standards_deliver(standards_closed_event(project_id=waterfall_project, version=2))
    admin = standards_auth("pmo_admin")
    compliance = await standards_client.get(
        f"/v1/projects/{waterfall_project}/compliance", headers=admin
    )
    assert compliance.status_code == 200 and compliance.json()["project_status"] == "closed"
    filed = await standards_client.post(
        f"/v1/projects/{waterfall_project}/deliverables",
        json={"name": "final_report", "gate": "project_closure"},
        headers=admin,
    )
    assert filed.status_code == 409


async def test_a_project_on_a_methodology_standards_lacks_is_a_409(
    standards_client: httpx.AsyncClient,
    standards_auth: MakeHeaders,
    standards_project: HearOf,
) -> None:
    project_id = await standards_project(methodology="safe")
    response = await standards_client.get(
        f"/v1/projects/{project_id}/compliance", headers=standards_auth("viewer")
    )
    assert response.status_code == 409
    assert "'safe'" in response.json()["detail"]
