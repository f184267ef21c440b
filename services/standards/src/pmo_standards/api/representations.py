"""Response bodies built from what the use cases return."""

from __future__ import annotations

from pmo_standards.api.schemas import (
    ComplianceOut,
    DeliverableOut,
    FindingOut,
    GateComplianceOut,
    GateDecisionOut,
    GateOut,
    MethodologyOut,
    PracticeOut,
)
from pmo_standards.db.compliance_repository import GateDecisionRecord, SubmittedDeliverable
from pmo_standards.db.methodology_repository import StoredMethodology
from pmo_standards.db.practice_repository import Practice
from pmo_standards.domain.methodology import deliverable_key
from pmo_standards.handlers.compliance_commands import ProjectCompliance


def methodology_out(stored: StoredMethodology) -> MethodologyOut:
    """The API view of a methodology version."""
    methodology = stored.methodology
    return MethodologyOut(
        key=methodology.key,
        name=methodology.name,
        description=methodology.description,
        version=stored.version,
        phases=list(methodology.phases),
        gates=[
            GateOut(
                key=g.key,
                name=g.name,
                phase=g.phase,
                required_deliverables=list(g.required_deliverables),
            )
            for g in methodology.gates
        ],
        report_cadence_days=methodology.report_cadence_days,
        thresholds=dict(methodology.thresholds),
        created_at=stored.created_at,
        updated_at=stored.updated_at,
        published_by=stored.published_by,
    )


def deliverable_out(deliverable: SubmittedDeliverable) -> DeliverableOut:
    """The API view of a filed deliverable."""
    return DeliverableOut(
        gate=deliverable.gate,
        name=deliverable.name,
        url=deliverable.url,
        submitted_by=deliverable.submitted_by,
        submitted_at=deliverable.submitted_at,
    )


def gate_decision_out(record: GateDecisionRecord) -> GateDecisionOut:
    """The API view of a gate decision."""
    return GateDecisionOut.model_validate(record, from_attributes=True)


def compliance_out(compliance: ProjectCompliance) -> ComplianceOut:
    """The API view of a project's compliance."""
    project = compliance.project
    assessment = compliance.assessment
    gates = []
    for gate_state in assessment.gates:
        gate = gate_state.gate
        decision = compliance.decisions.get(gate.key)
        submitted = {deliverable_key(name) for name in gate_state.submitted}
        gates.append(
            GateComplianceOut(
                key=gate.key,
                name=gate.name,
                phase=gate.phase,
                required_deliverables=list(gate.required_deliverables),
                submitted_deliverables=list(gate_state.submitted),
                missing_deliverables=list(gate_state.missing),
                met=gate_state.met,
                deliverables=[
                    deliverable_out(d)
                    for d in compliance.deliverables
                    if d.gate == gate.key and deliverable_key(d.name) in submitted
                ],
                decision=None if decision is None else gate_decision_out(decision),
            )
        )
    return ComplianceOut(
        project_id=project.id,
        project_name=project.name,
        project_status=project.status,
        manager=project.manager,
        methodology=compliance.methodology.methodology.key,
        methodology_version=compliance.methodology.version,
        compliant=assessment.compliant,
        score=assessment.score,
        required_count=assessment.required_count,
        submitted_count=assessment.submitted_count,
        gates=gates,
        findings=[FindingOut(code=f.code, message=f.message) for f in assessment.findings],
        evaluated_at=compliance.evaluated_at,
    )


def practice_out(practice: Practice) -> PracticeOut:
    """The API view of a best practice."""
    return PracticeOut(
        id=practice.id,
        title=practice.title,
        body=practice.body,
        tags=list(practice.tags),
        methodology=practice.methodology,
        created_by=practice.created_by,
        created_at=practice.created_at,
    )
