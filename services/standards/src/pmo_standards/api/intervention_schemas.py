"""Request and response bodies of /v1/interventions."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pmo_common.web.inputs import (
    BoundedDate,
    Number,
    PlainName,
    StrictInput,
    WholeNumber,
    documented_examples,
)
from pmo_common.web.schemas import OutputModel
from pydantic import EmailStr, Field

from pmo_standards.api.schemas import Description, Identifier, StrippedText
from pmo_standards.domain.interventions import (
    MAX_COST_IMPACT,
    MAX_OPTIONS,
    MAX_SCHEDULE_IMPACT_DAYS,
    MIN_OPTIONS,
    BoardDecision,
    CloseReason,
    DecisionOutcome,
    ExceptionOption,
    ExceptionReport,
    RecoveryAction,
)

Narrative = Annotated[StrippedText, Field(min_length=1, max_length=4000)]

OPTION_EXAMPLES: list[dict[str, Any]] = [
    {
        "key": "phase_rollout",
        "description": "Roll out to one warehouse first, the others next quarter",
        "cost_impact": -4000,
        "schedule_impact_days": 45,
    },
    {
        "key": "contractors",
        "description": "Bring in two contractors who know the legacy interfaces",
        "cost_impact": 18000,
        "schedule_impact_days": 10,
    },
]


class OwnerIn(StrictInput):
    """The PMO consultant taking the case."""

    model_config = documented_examples({"owner": "carla.consultant@example.com"})

    owner: EmailStr


class ExceptionOptionIn(StrictInput):
    """One way out of the exception."""

    model_config = documented_examples(OPTION_EXAMPLES[0])

    key: Identifier = Field(description="Unique within the report; the board approves by key")
    description: Narrative
    cost_impact: Number = Field(
        ge=-MAX_COST_IMPACT,
        le=MAX_COST_IMPACT,
        description="Change to the budget, in the project's currency",
    )
    schedule_impact_days: WholeNumber = Field(
        ge=-MAX_SCHEDULE_IMPACT_DAYS,
        le=MAX_SCHEDULE_IMPACT_DAYS,
        description="Days the end date moves (may be < 0)",
    )


class ExceptionReportIn(StrictInput):
    """The project manager's exception report (PRINCE2): cause, consequences, options."""

    model_config = documented_examples(
        {
            "title": "Integration costs overran",
            "cause": "The legacy interfaces needed twice the effort estimated.",
            "consequences": "Budget overrun of 40%; the portfolio's Q3 release slips.",
            "options": OPTION_EXAMPLES,
            "recommendation": "contractors",
            "lessons": "Prototype every legacy interface before estimating.",
        }
    )

    title: PlainName
    cause: Narrative
    consequences: Narrative
    options: list[ExceptionOptionIn] = Field(
        min_length=MIN_OPTIONS,
        max_length=MAX_OPTIONS,
        description=f"{MIN_OPTIONS} to {MAX_OPTIONS} options with unique keys",
    )
    recommendation: Identifier = Field(description="The key of the option the manager advises")
    lessons: Description | None = Field(
        default=None, description="What others should learn; filed in the library on closing"
    )

    def filed_by(self, reported_by: str) -> ExceptionReport:
        """The report as `reported_by` files it now (empty lessons: none)."""
        return ExceptionReport(
            **self.model_dump(exclude={"options", "lessons"}),
            options=tuple(ExceptionOption(**option.model_dump()) for option in self.options),
            lessons=self.lessons or None,
            reported_by=reported_by,
            reported_at=datetime.now(UTC),
        )


class DecisionIn(StrictInput):
    """The portfolio board's decision on the exception report."""

    model_config = documented_examples(
        {"outcome": "approve_option", "option": "contractors", "note": "Go for it."},
        {"outcome": "exception_plan_required", "note": "Re-plan the remaining stages."},
        {"outcome": "premature_close", "note": "The business case no longer holds."},
    )

    outcome: DecisionOutcome
    option: Identifier | None = Field(
        default=None, description="The approved option's key; required with approve_option"
    )
    note: Description | None = None

    def decided_by(self, decided_by: str) -> BoardDecision:
        """The decision as `decided_by` records it now."""
        return BoardDecision(
            **self.model_dump(), decided_by=decided_by, decided_at=datetime.now(UTC)
        )


class ActionIn(StrictInput):
    """A recovery action."""

    model_config = documented_examples(
        {
            "title": "Hire a second integration team",
            "owner": "dorothy.vaughan@example.com",
            "due_date": "2026-12-15",
        }
    )

    title: PlainName
    owner: EmailStr
    due_date: BoundedDate = Field(description="A past date is accepted: overdue at once")

    def added_to(self, intervention_id: str, *, created_by: str) -> RecoveryAction:
        """The action as `created_by` adds it to the case now (open, not yet done)."""
        return RecoveryAction(
            id=str(uuid.uuid4()),
            intervention_id=intervention_id,
            **self.model_dump(),
            created_by=created_by,
            created_at=datetime.now(UTC),
        )


class ActionPatchIn(StrictInput):
    """A change to a recovery action: marking it done."""

    model_config = documented_examples({"status": "done"})

    status: Literal["done"]


class ReasonOut(OutputModel):
    """Why the project is red, as monitoring said it."""

    code: str
    message: str
    metric: str | None
    value: float | str | None
    threshold: float | str | None


class PracticeRefOut(OutputModel):
    """A suggested library entry."""

    id: str
    title: str


class ExceptionOptionOut(OutputModel):
    """One option of the report."""

    key: str
    description: str
    cost_impact: float
    schedule_impact_days: int


class ExceptionReportOut(OutputModel):
    """The filed exception report."""

    title: str
    cause: str
    consequences: str
    options: list[ExceptionOptionOut]
    recommendation: str
    lessons: str | None
    reported_by: str
    reported_at: datetime


class DecisionOut(OutputModel):
    """The board's decision."""

    outcome: DecisionOutcome
    option: str | None
    note: str | None
    decided_by: str
    decided_at: datetime


class ActionOut(OutputModel):
    """A recovery action."""

    id: str
    title: str
    owner: str
    due_date: date
    status: Literal["open", "done"]
    done_at: datetime | None


class InterventionOut(OutputModel):
    """The PMO's case for a project in difficulty."""

    id: str
    project_id: str
    status: Literal["open", "closed"]
    opened_at: datetime
    closed_at: datetime | None
    close_reason: CloseReason | None
    owner: str | None
    reasons: list[ReasonOut]
    suggested_practices: list[PracticeRefOut]
    exception_report: ExceptionReportOut | None
    decision: DecisionOut | None
    actions: list[ActionOut]
