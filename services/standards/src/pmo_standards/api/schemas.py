"""Request and response bodies of standards' API."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Any

from pmo_common.web.inputs import (
    Number,
    PlainName,
    PlainText,
    StrictInput,
    WebLink,
    WholeNumber,
    documented_examples,
)
from pmo_common.web.schemas import OutputModel
from pydantic import AfterValidator, Field, StringConstraints, model_validator

from pmo_standards.domain.compliance import GateVerdict, ProjectCompliance, SubmittedDeliverable
from pmo_standards.domain.methodology import (
    MAX_CADENCE_DAYS,
    MIN_CADENCE_DAYS,
    THRESHOLD_KEYS,
    PublishedMethodology,
)
from pmo_standards.domain.practices import Practice, PracticeKind, normalise_tags

Identifier = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Tag = Annotated[PlainName, Field(max_length=50)]
Link = Annotated[WebLink, Field(min_length=1)]
StrippedText = Annotated[PlainText, AfterValidator(str.strip)]
Description = Annotated[StrippedText, Field(max_length=4000)]
PracticeBody = Annotated[StrippedText, Field(min_length=1, max_length=20000)]

_THRESHOLDS_HELP = (
    "Tolerances monitoring applies to the methodology's projects, each optional (monitoring's "
    f"defaults fill the gaps). Keys: {', '.join(THRESHOLD_KEYS)}. CPI/SPI limits are 'below' "
    "limits (red <= amber, both in (0, 1]); EAC ratios are multiples of BAC (amber <= red, "
    "both in [1, 5]); day counts are whole numbers."
)


GATE_EXAMPLE: dict[str, Any] = {
    "key": "flow_review",
    "name": "Flow review",
    "phase": "flow",
    "required_deliverables": ["board_policy", "service_level_expectation"],
}
METHODOLOGY_CONTENT_EXAMPLE: dict[str, Any] = {
    "name": "Kanban",
    "description": "Continuous flow with explicit work-in-progress limits and a monthly review.",
    "phases": ["discovery", "flow"],
    "gates": [GATE_EXAMPLE],
    "report_cadence_days": 7,
    "thresholds": {"spi_amber": 0.9, "spi_red": 0.8, "eac_red_ratio": 1.15},
}


class GateIn(StrictInput):
    """A gate of a methodology."""

    model_config = documented_examples(GATE_EXAMPLE)

    key: Identifier = Field(description="Identifier, pattern ^[a-z][a-z0-9_-]{1,63}$")
    name: PlainName
    phase: Identifier | None = Field(default=None, description="The phase the gate closes")
    required_deliverables: list[PlainName] = Field(default_factory=list, max_length=50)


class MethodologyContent(StrictInput):
    """What a methodology prescribes."""

    name: PlainName
    description: Description | None = None
    phases: list[Identifier] = Field(min_length=1, max_length=30)
    gates: list[GateIn] = Field(default_factory=list, max_length=30)
    report_cadence_days: WholeNumber | None = Field(
        default=None,
        description=(
            f"Days between status reports ({MIN_CADENCE_DAYS}-{MAX_CADENCE_DAYS}); defaults to "
            "thresholds.report_cadence_days, else 14"
        ),
    )
    thresholds: dict[str, Number] = Field(default_factory=dict, description=_THRESHOLDS_HELP)


class MethodologyIn(MethodologyContent):
    """A new methodology."""

    model_config = documented_examples({"key": "kanban", **METHODOLOGY_CONTENT_EXAMPLE})

    key: Identifier = Field(description="Identifier, pattern ^[a-z][a-z0-9_-]{1,63}$")


class MethodologyRevisionIn(MethodologyContent):
    """The next version of a methodology (the key comes from the path)."""

    model_config = documented_examples(
        {**METHODOLOGY_CONTENT_EXAMPLE, "version": 1},
        {
            **METHODOLOGY_CONTENT_EXAMPLE,
            "key": "kanban",
            "thresholds": {"spi_amber": 0.92, "spi_red": 0.85},
        },
    )

    key: Identifier | None = Field(default=None, description="If given, must match the path")
    version: WholeNumber | None = Field(
        default=None,
        ge=1,
        description="The version this revision is based on; 409 when it is no longer current",
    )


class GateOut(OutputModel):
    """A gate and the deliverables it requires."""

    key: str
    name: str
    phase: str | None
    required_deliverables: list[str]


class MethodologyOut(OutputModel):
    """The current version of a methodology."""

    key: str
    name: str
    description: str | None
    version: int
    phases: list[str]
    gates: list[GateOut]
    report_cadence_days: int
    thresholds: dict[str, int | float] = Field(description="Day counts are whole numbers")
    created_at: datetime
    updated_at: datetime
    published_by: str

    @model_validator(mode="before")
    @classmethod
    def _flatten(cls, value: object) -> object:
        # A published methodology keeps what it prescribes apart from who published it when.
        if isinstance(value, PublishedMethodology):
            return {**asdict(value.methodology), **asdict(value)}
        return value


class DeliverableIn(StrictInput):
    """A deliverable filed for a gate."""

    model_config = documented_examples(
        {
            "name": "Project charter",
            "gate": "charter_approval",
            "url": "https://docs.example.com/projects/warehouse/charter.pdf",
        },
        {"name": "stakeholder_register", "gate": "charter_approval"},
    )

    name: PlainName
    gate: Identifier
    url: Link | None = None

    def filed_by(self, submitted_by: str, *, project_id: str) -> SubmittedDeliverable:
        """The deliverable as `submitted_by` files it for the project now (name as given)."""
        return SubmittedDeliverable(
            project_id=project_id,
            **self.model_dump(),
            submitted_by=submitted_by,
            submitted_at=datetime.now(UTC),
        )


class DeliverableOut(OutputModel):
    """A filed deliverable."""

    gate: str
    name: str
    url: str | None
    submitted_by: str
    submitted_at: datetime


class GateDecisionIn(StrictInput):
    """The PMO's decision on a gate."""

    model_config = documented_examples(
        {"decision": "approved", "comment": "Charter and stakeholder register are complete."},
        {"decision": "rejected", "comment": "The business case has no cost baseline yet."},
    )

    decision: GateVerdict
    comment: Description | None = None


class GateDecisionOut(OutputModel):
    """A recorded gate decision."""

    id: str
    project_id: str
    gate: str
    decision: GateVerdict
    comment: str | None
    decided_by: str
    decided_at: datetime
    methodology: str
    methodology_version: int


class GateComplianceOut(OutputModel):
    """Where a project stands at one gate."""

    key: str
    name: str
    phase: str | None
    required_deliverables: list[str]
    submitted_deliverables: list[str]
    missing_deliverables: list[str]
    met: bool = Field(description="Every required deliverable is submitted")
    deliverables: list[DeliverableOut]
    decision: GateDecisionOut | None = Field(description="The latest decision, if any")


class FindingOut(OutputModel):
    """One way a project departs from its methodology."""

    code: str
    message: str


class ComplianceOut(OutputModel):
    """A project's compliance with the current version of its methodology."""

    project_id: str
    project_name: str
    project_status: str
    manager: str | None
    methodology: str
    methodology_version: int
    compliant: bool
    score: float = Field(description="Submitted required deliverables / required deliverables")
    required_count: int
    submitted_count: int
    gates: list[GateComplianceOut]
    findings: list[FindingOut]
    evaluated_at: datetime

    @classmethod
    def of(cls, compliance: ProjectCompliance) -> ComplianceOut:
        """The API view of a project's compliance."""
        project = compliance.project
        assessment = compliance.assessment
        return cls(
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
            gates=[
                GateComplianceOut(
                    key=state.gate.key,
                    name=state.gate.name,
                    phase=state.gate.phase,
                    required_deliverables=list(state.gate.required_deliverables),
                    submitted_deliverables=list(state.submitted),
                    missing_deliverables=list(state.missing),
                    met=state.met,
                    deliverables=[
                        DeliverableOut.model_validate(d) for d in compliance.deliverables_of(state)
                    ],
                    decision=compliance.decisions.get(state.gate.key),
                )
                for state in assessment.gates
            ],
            findings=[FindingOut.model_validate(f) for f in assessment.findings],
            evaluated_at=compliance.evaluated_at,
        )


class DeliverableSubmissionOut(OutputModel):
    """A filed deliverable and the project's compliance after it."""

    deliverable: DeliverableOut
    compliance: ComplianceOut

    @classmethod
    def of(
        cls, deliverable: SubmittedDeliverable, compliance: ProjectCompliance
    ) -> DeliverableSubmissionOut:
        """The API view of a filing and the compliance it led to."""
        return cls(
            deliverable=DeliverableOut.model_validate(deliverable),
            compliance=ComplianceOut.of(compliance),
        )


class PracticeIn(StrictInput):
    """A best practice for the library."""

    model_config = documented_examples(
        {
            "title": "Re-plan after two red reports",
            "body": (
                "When a project reports red twice in a row, hold a re-planning workshop within "
                "a week.\nInvite the sponsor, and record the options and the decision."
            ),
            "tags": ["recovery", "governance"],
            "methodology": "waterfall",
        }
    )

    title: PlainName
    body: PracticeBody
    tags: list[Tag] = Field(default_factory=list, max_length=20)
    methodology: Identifier | None = Field(
        default=None, description="The methodology the practice belongs to, if any"
    )

    def written_by(self, created_by: str) -> Practice:
        """The practice as `created_by` adds it now, its tags normalised (so maybe fewer)."""
        return Practice(
            id=str(uuid.uuid4()),
            **self.model_dump(exclude={"tags"}),
            tags=normalise_tags(self.tags),
            created_by=created_by,
            created_at=datetime.now(UTC),
        )


class PracticeOut(OutputModel):
    """A best practice of the library."""

    id: str
    title: str
    body: str
    tags: list[str]
    methodology: str | None
    created_by: str
    created_at: datetime
    kind: PracticeKind = Field(description="practice: written by the PMO; lesson: left by a case")
    project_id: str | None = Field(description="Lessons: the project whose case left it")
    reason_codes: list[str] = Field(description="Lessons: why the project was red")
