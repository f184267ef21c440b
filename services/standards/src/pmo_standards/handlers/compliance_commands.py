"""Compliance use cases: evaluate a project, file a deliverable, decide a gate."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from pmo_common.events.payloads import ComplianceEvaluated, ComplianceFinding, GateDecided
from pmo_common.problems import ProblemException, not_found
from pmo_common.web.runtime import ServiceRuntime
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_standards.db.compliance_repository import (
    GateDecisionRecord,
    SubmittedDeliverable,
    insert_gate_decision,
    latest_gate_decisions,
    save_deliverable,
    submitted_deliverables,
)
from pmo_standards.db.methodology_repository import StoredMethodology, get_methodology
from pmo_standards.db.project_repository import get_project
from pmo_standards.domain.compliance import ComplianceAssessment, GateVerdict, assess_compliance
from pmo_standards.domain.compliance import required_deliverable as match_required_deliverable
from pmo_standards.domain.methodology import RuleViolation
from pmo_standards.domain.projects import ProjectView
from pmo_standards.handlers.problem_mapping import unprocessable

COMPLIANCE_EVALUATED = "project.compliance.evaluated"
GATE_DECIDED = "project.gate.decided"


@dataclass(frozen=True, slots=True)
class ProjectCompliance:
    """A project's compliance with the current version of its methodology."""

    project: ProjectView
    methodology: StoredMethodology
    assessment: ComplianceAssessment
    deliverables: list[SubmittedDeliverable]
    decisions: dict[str, GateDecisionRecord]
    evaluated_at: datetime


async def find_project(session: AsyncSession, *, project_id: str) -> ProjectView:
    """A project standards has heard of; 404 problem otherwise."""
    project = await get_project(session, project_id=project_id)
    if project is None:
        raise not_found(
            "project",
            project_id,
            "Standards has not heard of this project yet: it learns of projects from intake's "
            "project.created events, so retry shortly after creating one.",
        )
    return project


async def methodology_of(session: AsyncSession, *, project: ProjectView) -> StoredMethodology:
    """The current version of the project's methodology; 409 problem when standards lacks it."""
    stored = None
    if project.methodology is not None:
        stored = await get_methodology(session, key=project.methodology)
    if stored is None:
        raise ProblemException(
            409,
            "Methodology unknown",
            f"Project {project.id} follows methodology '{project.methodology}', which standards "
            "does not know; publish it with POST /v1/methodologies first.",
        )
    return stored


def _refuse_if_closed(project: ProjectView) -> None:
    if project.closed:
        raise ProblemException(
            409, "Project closed", f"Project {project.id} is closed; its gates can no longer move."
        )


async def evaluate_compliance(session: AsyncSession, *, project: ProjectView) -> ProjectCompliance:
    """Assess the project against its methodology's gates."""
    methodology = await methodology_of(session, project=project)
    filed = await submitted_deliverables(session, project_id=project.id)
    assessment = assess_compliance(methodology.methodology, ((d.gate, d.name) for d in filed))
    return ProjectCompliance(
        project=project,
        methodology=methodology,
        assessment=assessment,
        deliverables=filed,
        decisions=await latest_gate_decisions(session, project_id=project.id),
        evaluated_at=datetime.now(UTC),
    )


async def submit_deliverable(
    session: AsyncSession,
    *,
    runtime: ServiceRuntime,
    project: ProjectView,
    gate: str,
    name: str,
    url: str | None,
    submitted_by: str,
) -> tuple[SubmittedDeliverable, ProjectCompliance]:
    """File a deliverable for a gate, re-evaluate and publish project.compliance.evaluated."""
    _refuse_if_closed(project)
    methodology = await methodology_of(session, project=project)
    try:
        canonical = match_required_deliverable(methodology.methodology, gate_key=gate, name=name)
    except RuleViolation as violation:
        raise unprocessable(violation) from violation
    deliverable = SubmittedDeliverable(
        project_id=project.id,
        gate=gate,
        name=canonical,
        url=url,
        submitted_by=submitted_by,
        submitted_at=datetime.now(UTC),
    )
    await save_deliverable(session, deliverable=deliverable)
    compliance = await evaluate_compliance(session, project=project)
    assessment = compliance.assessment
    await runtime.emit(
        session,
        COMPLIANCE_EVALUATED,
        ComplianceEvaluated(
            project_id=project.id,
            methodology=methodology.methodology.key,
            compliant=assessment.compliant,
            score=assessment.score,
            findings=[
                ComplianceFinding(code=f.code, message=f.message) for f in assessment.findings
            ],
        ),
        subject=project.id,
    )
    return deliverable, compliance


async def decide_gate(
    session: AsyncSession,
    *,
    runtime: ServiceRuntime,
    project: ProjectView,
    gate: str,
    decision: GateVerdict,
    comment: str | None,
    decided_by: str,
) -> GateDecisionRecord:
    """Record the PMO's decision on a gate and publish project.gate.decided."""
    methodology = await methodology_of(session, project=project)
    if methodology.methodology.gate(gate) is None:
        known = ", ".join(g.key for g in methodology.methodology.gates) or "none"
        raise ProblemException(
            404,
            "Gate not found",
            f"Methodology '{methodology.methodology.key}' has no gate '{gate}'; "
            f"its gates are: {known}.",
        )
    _refuse_if_closed(project)
    record = GateDecisionRecord(
        id=str(uuid.uuid4()),
        project_id=project.id,
        gate=gate,
        decision=decision,
        comment=comment,
        decided_by=decided_by,
        decided_at=datetime.now(UTC),
        methodology=methodology.methodology.key,
        methodology_version=methodology.version,
    )
    await insert_gate_decision(session, decision=record)
    await runtime.emit(
        session,
        GATE_DECIDED,
        GateDecided(
            project_id=project.id,
            gate=gate,
            decision=decision,
            decided_by=decided_by,
            comment=comment,
        ),
        subject=project.id,
    )
    return record
