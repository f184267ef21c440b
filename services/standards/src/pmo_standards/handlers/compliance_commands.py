"""Compliance use cases: file a deliverable for a gate, decide a gate."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.events.catalog import COMPLIANCE_EVALUATED, GATE_DECIDED
from pmo_common.events.payloads import ComplianceEvaluated, ComplianceFinding, GateDecided
from pmo_common.problems import ProblemException, invalid_fields
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_standards.db.deliverable_repository import save_deliverable
from pmo_standards.db.gate_decision_repository import insert_gate_decision
from pmo_standards.db.outbox import outbox
from pmo_standards.domain.compliance import (
    GateDecision,
    GateVerdict,
    ProjectCompliance,
    SubmittedDeliverable,
    required_deliverable,
)
from pmo_standards.domain.methodology import RuleViolation
from pmo_standards.domain.projects import ProjectView
from pmo_standards.handlers.audit_records import record_change, record_deliverable_filed
from pmo_standards.handlers.compliance_queries import evaluate_compliance, methodology_of


def _refuse_if_closed(project: ProjectView) -> None:
    if project.closed:
        raise ProblemException(
            409, "Project closed", f"Project {project.id} is closed; its gates can no longer move."
        )


def evaluated_payload(compliance: ProjectCompliance) -> ComplianceEvaluated:
    """The event payload announcing a project's compliance."""
    assessment = compliance.assessment
    return ComplianceEvaluated(
        project_id=compliance.project.id,
        methodology=compliance.methodology.methodology.key,
        compliant=assessment.compliant,
        score=assessment.score,
        findings=[ComplianceFinding(code=f.code, message=f.message) for f in assessment.findings],
    )


async def submit_deliverable(
    session: AsyncSession, *, project: ProjectView, filed: SubmittedDeliverable
) -> tuple[SubmittedDeliverable, ProjectCompliance]:
    """File a deliverable for a gate under the name its methodology gives it, re-evaluate and
    publish project.compliance.evaluated."""
    async with unit_of_work(session):
        _refuse_if_closed(project)
        methodology = await methodology_of(session, project=project)
        try:
            canonical = required_deliverable(
                methodology.methodology, gate_key=filed.gate, name=filed.name
            )
        except RuleViolation as violation:
            raise invalid_fields(violation.issues, shown=5) from violation
        deliverable = replace(filed, name=canonical)
        await save_deliverable(session, deliverable=deliverable)
        await record_deliverable_filed(session, deliverable)
        compliance = await evaluate_compliance(session, project=project)
        await outbox.enqueue(
            session, COMPLIANCE_EVALUATED, evaluated_payload(compliance), subject=project.id
        )
    return deliverable, compliance


async def decide_gate(
    session: AsyncSession,
    *,
    project: ProjectView,
    gate: str,
    decision: GateVerdict,
    comment: str | None,
    decided_by: str,
) -> GateDecision:
    """Record the PMO's decision on a gate and publish project.gate.decided."""
    async with unit_of_work(session):
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
        record = GateDecision(
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
        await record_change(session, "created", after=record)
        payload = GateDecided.model_validate(record, from_attributes=True)
        await outbox.enqueue(session, GATE_DECIDED, payload, subject=project.id)
    return record
