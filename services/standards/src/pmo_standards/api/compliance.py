"""Routes under /v1/projects/{id}: compliance, deliverables and gate decisions."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pmo_common.web.app_factory import SessionDep
from pmo_common.web.idempotency import OnceDep

from pmo_standards.api.access import (
    AdminPrincipal,
    AnyRolePrincipal,
    actor_name,
    ensure_can_file_deliverables,
    ensure_can_read_project,
)
from pmo_standards.api.schemas import (
    ComplianceOut,
    DeliverableIn,
    DeliverableSubmissionOut,
    GateDecisionIn,
    GateDecisionOut,
)
from pmo_standards.handlers.compliance_commands import decide_gate, submit_deliverable
from pmo_standards.handlers.compliance_queries import evaluate_compliance
from pmo_standards.handlers.project_queries import find_project

router = APIRouter(prefix="/v1/projects/{project_id}", tags=["compliance"])


@router.get(
    "/compliance",
    summary="A project's compliance with its methodology",
    responses={404: {"description": "Standards has not heard of this project yet"}},
)
async def read_compliance(
    project_id: str, principal: AnyRolePrincipal, session: SessionDep
) -> ComplianceOut:
    """Which gates have their required deliverables in, and the compliance score."""
    project = await find_project(session, project_id=project_id)
    ensure_can_read_project(principal, project)
    return ComplianceOut.of(await evaluate_compliance(session, project=project))


@router.post(
    "/deliverables",
    status_code=201,
    response_model=DeliverableSubmissionOut,
    summary="File a deliverable a gate requires (the project's manager or PMO admins)",
)
async def file_deliverable(
    project_id: str, body: DeliverableIn, principal: AnyRolePrincipal, once: OnceDep
) -> JSONResponse:
    """Record the deliverable, re-evaluate and publish project.compliance.evaluated."""

    async def file() -> DeliverableSubmissionOut:
        project = await find_project(once.session, project_id=project_id)
        ensure_can_file_deliverables(principal, project)
        filed = body.filed_by(actor_name(principal), project_id=project.id)
        deliverable, compliance = await submit_deliverable(
            once.session, project=project, filed=filed
        )
        return DeliverableSubmissionOut.of(deliverable, compliance)

    return await once.run(
        body, file, location=lambda _created: f"/v1/projects/{project_id}/compliance"
    )


@router.post(
    "/gates/{gate}/decision",
    status_code=201,
    response_model=GateDecisionOut,
    summary="Decide a phase gate (PMO admins)",
    responses={404: {"description": "Unknown project or gate"}},
)
async def decide(
    project_id: str, gate: str, body: GateDecisionIn, principal: AdminPrincipal, once: OnceDep
) -> JSONResponse:
    """Record the decision and publish project.gate.decided."""

    async def record() -> GateDecisionOut:
        project = await find_project(once.session, project_id=project_id)
        decision = await decide_gate(
            once.session,
            project=project,
            gate=gate,
            decision=body.decision,
            comment=body.comment,
            decided_by=actor_name(principal),
        )
        return GateDecisionOut.model_validate(decision)

    return await once.run(body, record)
