"""A project's compliance with its methodology: which gates have their deliverables in."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pmo_standards.domain.methodology import (
    FieldIssue,
    Gate,
    Methodology,
    PublishedMethodology,
    RuleViolation,
    deliverable_key,
)
from pmo_standards.domain.projects import ProjectView

GateVerdict = Literal["approved", "rejected", "conditional"]


@dataclass(frozen=True, slots=True)
class SubmittedDeliverable:
    """A deliverable a project filed for a gate."""

    project_id: str
    gate: str
    name: str
    url: str | None
    submitted_by: str
    submitted_at: datetime


@dataclass(frozen=True, slots=True)
class GateDecision:
    """The PMO's decision on one of a project's gates."""

    id: str
    project_id: str
    gate: str
    decision: str
    comment: str | None
    decided_by: str
    decided_at: datetime
    methodology: str
    methodology_version: int


@dataclass(frozen=True, slots=True)
class Finding:
    """One way a project departs from its methodology."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class GateCompliance:
    """A gate's required deliverables split into those submitted and those still missing."""

    gate: Gate
    submitted: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def met(self) -> bool:
        """Whether every deliverable the gate requires has been submitted."""
        return not self.missing


@dataclass(frozen=True, slots=True)
class ComplianceAssessment:
    """The project's standing against every gate of its methodology."""

    gates: tuple[GateCompliance, ...]
    required_count: int
    submitted_count: int
    findings: tuple[Finding, ...]

    @property
    def score(self) -> float:
        """Submitted required deliverables / required deliverables (1.0 when none required)."""
        if self.required_count == 0:
            return 1.0
        return round(self.submitted_count / self.required_count, 4)

    @property
    def compliant(self) -> bool:
        """Whether every required deliverable of every gate is in."""
        return self.submitted_count == self.required_count


def assess_compliance(
    methodology: Methodology, submitted: Iterable[tuple[str, str]]
) -> ComplianceAssessment:
    """Compare the submitted (gate key, deliverable name) pairs with what the gates require.

    Submissions for gates or deliverables the methodology no longer requires (it may have been
    revised since) count for nothing; a deliverable counts only for the gate it was filed under.
    """
    have = {(gate, deliverable_key(name)) for gate, name in submitted}
    gates: list[GateCompliance] = []
    findings: list[Finding] = []
    for gate in methodology.gates:
        done = tuple(
            d for d in gate.required_deliverables if (gate.key, deliverable_key(d)) in have
        )
        missing = tuple(d for d in gate.required_deliverables if d not in done)
        gates.append(GateCompliance(gate=gate, submitted=done, missing=missing))
        if missing:
            findings.append(
                Finding(
                    code="deliverables_missing",
                    message=(
                        f"Gate '{gate.name}' ({gate.key}) still needs {len(missing)} of "
                        f"{len(gate.required_deliverables)} required deliverables: "
                        f"{', '.join(missing)}."
                    ),
                )
            )
    return ComplianceAssessment(
        gates=tuple(gates),
        required_count=sum(len(g.gate.required_deliverables) for g in gates),
        submitted_count=sum(len(g.submitted) for g in gates),
        findings=tuple(findings),
    )


def required_deliverable(methodology: Methodology, *, gate_key: str, name: str) -> str:
    """The methodology's own spelling of a deliverable the gate requires.

    Raises RuleViolation naming `gate` when the methodology has no such gate or another gate
    requires the deliverable, and `name` when no gate requires it at all.
    """
    wanted = deliverable_key(name)
    gate = methodology.gate(gate_key)
    if gate is None:
        known = ", ".join(g.key for g in methodology.gates) or "none"
        raise RuleViolation(
            [
                FieldIssue(
                    "gate",
                    f"methodology '{methodology.key}' has no gate '{gate_key}'; "
                    f"its gates are: {known}",
                )
            ]
        )
    for deliverable in gate.required_deliverables:
        if deliverable_key(deliverable) == wanted:
            return deliverable
    elsewhere = [
        g.key
        for g in methodology.gates
        if any(deliverable_key(d) == wanted for d in g.required_deliverables)
    ]
    if elsewhere:
        raise RuleViolation(
            [
                FieldIssue(
                    "gate",
                    f"'{name}' is required by gate {', '.join(elsewhere)}, not by '{gate_key}'",
                )
            ]
        )
    raise RuleViolation(
        [
            FieldIssue(
                "name",
                f"'{name}' is not a deliverable any gate of methodology '{methodology.key}' "
                f"requires; gate '{gate_key}' requires: "
                f"{', '.join(gate.required_deliverables) or 'nothing'}",
            )
        ]
    )


def latest_decisions(decisions: Iterable[GateDecision]) -> dict[str, GateDecision]:
    """The last decision on each decided gate, from decisions given oldest first."""
    return {decision.gate: decision for decision in decisions}


@dataclass(frozen=True, slots=True)
class ProjectCompliance:
    """A project's compliance with the current version of its methodology."""

    project: ProjectView
    methodology: PublishedMethodology
    assessment: ComplianceAssessment
    deliverables: tuple[SubmittedDeliverable, ...]
    decisions: Mapping[str, GateDecision]
    evaluated_at: datetime

    def deliverables_of(self, gate: GateCompliance) -> list[SubmittedDeliverable]:
        """The filed deliverables that count for a gate (those it still requires)."""
        counted = {deliverable_key(name) for name in gate.submitted}
        return [
            d
            for d in self.deliverables
            if d.gate == gate.gate.key and deliverable_key(d.name) in counted
        ]
