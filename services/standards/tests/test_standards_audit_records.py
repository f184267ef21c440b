"""Standards' audit trail: every change made through the API leaves a record of who (subject,
e-mail, roles), what (action, resource, each changed field before and after) and which request
(its X-Correlation-ID), readable by PMO admins only on GET /v1/audit."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx
from pmo_stack.testkit.methodology_data import kanban

if TYPE_CHECKING:
    from conftest import InterventionDesk

MakeHeaders = Callable[..., dict[str, str]]
ADMIN = "admin@pmo.example"


async def audit_of(
    client: httpx.AsyncClient, headers: dict[str, str], resource_id: str
) -> list[dict[str, Any]]:
    """The resource's audit records, newest first, as a PMO admin reads them."""
    answer = await client.get("/v1/audit", params={"resource_id": resource_id}, headers=headers)
    assert answer.status_code == 200, answer.text
    records: list[dict[str, Any]] = answer.json()["items"]
    return records


async def test_publishing_and_revising_a_methodology_is_audited(
    standards_client: httpx.AsyncClient, standards_auth: MakeHeaders
) -> None:
    admin = standards_auth("pmo_admin", email=ADMIN)
    created = await standards_client.post(
        "/v1/methodologies",
        json=kanban(),
        headers={**admin, "X-Correlation-ID": "corr-publish-kanban"},
    )
    assert created.status_code == 201, created.text
    revision = kanban(report_cadence_days=10)
    del revision["key"]
    revised = await standards_client.put(
        "/v1/methodologies/kanban",
        json=revision,
        headers={**admin, "X-Correlation-ID": "corr-revise-kanban"},
    )
    assert revised.status_code == 200, revised.text

    updated, published = await audit_of(standards_client, admin, "kanban")
    assert published["action"] == "methodology.published"
    assert published["resource_type"] == "methodology"
    assert published["actor"] == {"subject": ADMIN, "email": ADMIN, "roles": ["pmo_admin"]}
    assert published["correlation_id"] == "corr-publish-kanban"
    assert published["changes"]["name"] == {"before": None, "after": "Kanban"}
    assert updated["action"] == "methodology.updated"
    assert updated["correlation_id"] == "corr-revise-kanban"
    assert updated["changes"]["report_cadence_days"] == {"before": 7, "after": 10}
    assert updated["changes"]["version"] == {"before": 1, "after": 2}
    assert "name" not in updated["changes"]  # only what changed


async def test_a_case_and_its_actions_are_audited_through_their_life(
    interventions: InterventionDesk, report_body: Callable[..., dict[str, Any]]
) -> None:
    case = await interventions.open_case()
    case_id = case["id"]
    traced = {**interventions.admin, "X-Correlation-ID": "corr-assign-case"}
    assert (
        await interventions.post(case_id, "owner", {"owner": "c@pmo.example"}, traced)
    ).is_success
    report = await interventions.post(
        case_id, "exception-report", report_body(), interventions.manager
    )
    assert report.status_code == 201, report.text
    decision = {"outcome": "premature_close", "note": "No business case left"}
    assert (await interventions.post(case_id, "decision", decision)).is_success

    records = await audit_of(interventions.client, interventions.admin, case_id)
    assert [r["action"] for r in reversed(records)] == [
        "intervention.opened",
        "intervention.assigned",
        "intervention.exception_reported",
        "intervention.decided",
        "intervention.closed",
    ]
    opened, assigned, reported, _decided, closed = reversed(records)
    assert opened["actor"]["subject"] == "service:standards"  # opened by project.at_risk
    assert assigned["changes"] == {"owner": {"before": None, "after": "c@pmo.example"}}
    assert assigned["correlation_id"] == "corr-assign-case"
    assert assigned["actor"]["email"] == ADMIN
    assert reported["actor"]["email"] == "pm@corp.example"
    assert reported["changes"]["exception_report"]["after"]["recommendation"] == "extend"
    assert closed["changes"]["status"] == {"before": "open", "after": "closed"}
    # The case's lessons went to the library as it closed: that is audited too.
    lesson_id = closed["changes"]["lesson_practice_id"]["after"]
    (lesson,) = await audit_of(interventions.client, interventions.admin, lesson_id)
    assert lesson["action"] == "practice.created"
    assert lesson["changes"]["kind"]["after"] == "lesson"


async def test_recovery_actions_are_audited(interventions: InterventionDesk) -> None:
    case = await interventions.open_case()
    action = {"title": "Re-plan", "owner": "o@corp.example", "due_date": "2030-01-01"}
    added = await interventions.post(case["id"], "actions", action)
    action_id = added.json()["id"]
    assert (await interventions.finish(case["id"], action_id)).status_code == 200

    done, created = await audit_of(interventions.client, interventions.admin, action_id)
    assert created["action"] == "recovery_action.added"
    assert created["changes"]["intervention_id"]["after"] == case["id"]
    assert done["action"] == "recovery_action.done"
    assert done["actor"]["email"] == "pm@corp.example"
    assert done["changes"]["status"] == {"before": "open", "after": "done"}


async def test_practices_gate_decisions_and_deliverables_are_audited(
    standards_client: httpx.AsyncClient,
    standards_auth: MakeHeaders,
    standards_project: Callable[..., Any],
) -> None:
    admin = standards_auth("pmo_admin", email=ADMIN)
    practice = {"title": "Weekly risk review", "body": "Walk the register.", "tags": ["risk"]}
    added = await standards_client.post("/v1/practices", json=practice, headers=admin)
    (record,) = await audit_of(standards_client, admin, added.json()["id"])
    assert record["action"] == "practice.created"
    assert record["changes"]["title"]["after"] == "Weekly risk review"

    project_id = await standards_project()
    project = f"/v1/projects/{project_id}"
    filed = await standards_client.post(
        f"{project}/deliverables",
        json={"gate": "charter_approval", "name": "project_charter"},
        headers=admin,
    )
    assert filed.status_code == 201, filed.text
    decided = await standards_client.post(
        f"{project}/gates/charter_approval/decision", json={"decision": "approved"}, headers=admin
    )
    assert decided.status_code == 201, decided.text
    (filing,) = await audit_of(standards_client, admin, project_id)
    assert filing["action"] == "deliverable.filed"
    (decision,) = await audit_of(standards_client, admin, decided.json()["id"])
    assert decision["action"] == "gate_decision.created"
    assert decision["changes"]["decision"]["after"] == "approved"


async def test_only_pmo_admins_read_the_audit_trail(
    standards_client: httpx.AsyncClient, standards_auth: MakeHeaders
) -> None:
    for role in ("viewer", "project_manager", "portfolio_manager"):
        refused = await standards_client.get("/v1/audit", headers=standards_auth(role))
        assert refused.status_code == 403, role
        assert refused.headers["content-type"].startswith("application/problem+json")
    assert (await standards_client.get("/v1/audit")).status_code == 401
