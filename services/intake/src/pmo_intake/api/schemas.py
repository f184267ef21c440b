"""Request and response bodies of intake's API."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, ClassVar

from pmo_common.contract import (
    DEFAULT_CURRENCY,
    DEFAULT_METHODOLOGY,
    MAX_MILESTONES,
    MAX_PROFILE_POINTS,
)
from pmo_common.web.inputs import (
    BoundedDate,
    PatchInput,
    PlainName,
    StrictInput,
    documented_examples,
)
from pmo_common.web.schemas import OutputModel
from pydantic import EmailStr, Field

# Every request body is an input model of this module (ADR 0010): the demand, baseline and
# shared ones re-exported.
from pmo_intake.api.baseline_schemas import BaselineChangesIn as BaselineChangesIn
from pmo_intake.api.baseline_schemas import ChangeRequestIn as ChangeRequestIn
from pmo_intake.api.baseline_schemas import MilestoneOut, PlannedValueProfileOut
from pmo_intake.api.demand_schemas import BudgetIn as BudgetIn
from pmo_intake.api.demand_schemas import CriterionIn as CriterionIn
from pmo_intake.api.demand_schemas import CriterionScoreOut, TransitionOut
from pmo_intake.api.demand_schemas import DependencyIn as DependencyIn
from pmo_intake.api.demand_schemas import RequestRejection as RequestRejection
from pmo_intake.api.demand_schemas import RequestReturn as RequestReturn
from pmo_intake.api.demand_schemas import ScenarioIn as ScenarioIn
from pmo_intake.api.demand_schemas import ScoresIn as ScoresIn
from pmo_intake.api.demand_schemas import ScoringModelIn as ScoringModelIn
from pmo_intake.api.field_types import (
    Budget,
    BusinessCase,
    Currency,
    Description,
    ExternalRef,
    Identifier,
    MethodologyKey,
    Note,
)
from pmo_intake.api.input_parts import MILESTONE_EXAMPLE, patch_schema
from pmo_intake.api.input_parts import MilestoneIn as MilestoneIn
from pmo_intake.api.input_parts import PlannedValuePointIn as PlannedValuePointIn
from pmo_intake.api.member_schemas import MemberIn as MemberIn
from pmo_intake.domain.demand_records import RequestTransition
from pmo_intake.domain.records import (
    BASELINE_FIELDS,
    Baseline,
    MilestonePlan,
    PlannedValuePoint,
    ProjectRequest,
)

PROJECT_EXAMPLE: dict[str, Any] = {
    "name": "Warehouse management system",
    "manager": "ada.lovelace@example.com",
    "sponsor": "grace.hopper@example.com",
    "methodology": "waterfall",
    "start_date": "2026-01-05",
    "end_date": "2026-12-18",
    "budget": 1250000,
    "currency": "EUR",
    "milestones": [
        MILESTONE_EXAMPLE,
        {"name": "Pilot warehouse live", "due_date": "2026-09-30"},
    ],
    "planned_value_profile": [
        {"date": "2026-03-31", "percent": 15},
        {"date": "2026-09-30", "percent": 70},
        {"date": "2026-12-18", "percent": 100},
    ],
    "external_ref": "ERP-4711",
}


class ProjectCreate(StrictInput):
    """A project to register."""

    model_config = documented_examples(PROJECT_EXAMPLE)

    name: PlainName
    manager: EmailStr
    sponsor: EmailStr | None = None
    methodology: MethodologyKey = DEFAULT_METHODOLOGY
    start_date: BoundedDate
    end_date: BoundedDate
    budget: Budget
    currency: Currency = Field(default=DEFAULT_CURRENCY, description="ISO 4217 code")
    milestones: list[MilestoneIn] = Field(default_factory=list, max_length=MAX_MILESTONES)
    planned_value_profile: list[PlannedValuePointIn] = Field(
        default_factory=list,
        max_length=MAX_PROFILE_POINTS,
        description="Cumulative planned % of budget by date; empty means a straight line",
    )
    portfolio_id: Identifier | None = None
    program_id: Identifier | None = None
    external_ref: ExternalRef | None = None

    def baseline(self) -> Baseline:
        """The baseline of the project to register."""
        return Baseline(**_as_recorded({name: getattr(self, name) for name in BASELINE_FIELDS}))


class ProjectPatch(PatchInput):
    """Fields to change; absent fields keep their value."""

    model_config = patch_schema(
        {"budget": 1400000, "end_date": "2027-03-31"},
        {"manager": "alan.turing@example.com", "sponsor": None},
        {"milestones": [{"name": "Design signed off", "due_date": "2026-04-30"}]},
    )
    nullable: ClassVar[frozenset[str]] = frozenset(
        {"sponsor", "portfolio_id", "program_id", "external_ref"}
    )

    name: PlainName | None = None
    manager: EmailStr | None = None
    sponsor: EmailStr | None = None
    methodology: MethodologyKey | None = None
    start_date: BoundedDate | None = None
    end_date: BoundedDate | None = None
    budget: Budget | None = None
    currency: Currency | None = Field(default=None, description="ISO 4217 code")
    milestones: list[MilestoneIn] | None = Field(default=None, max_length=MAX_MILESTONES)
    planned_value_profile: list[PlannedValuePointIn] | None = Field(
        default=None, max_length=MAX_PROFILE_POINTS
    )
    portfolio_id: Identifier | None = None
    program_id: Identifier | None = None
    external_ref: ExternalRef | None = None

    def changes(self) -> dict[str, Any]:
        """The baseline fields the caller sent, as the records hold them."""
        return _as_recorded({name: getattr(self, name) for name in self.model_fields_set})


def _as_recorded(values: dict[str, Any]) -> dict[str, Any]:
    # Milestones and profile points become the records' types; e-mails compare in lower case.
    if values.get("milestones") is not None:
        values["milestones"] = tuple(
            MilestonePlan(m.name, m.due_date) for m in values["milestones"]
        )
    if values.get("planned_value_profile") is not None:
        values["planned_value_profile"] = tuple(
            PlannedValuePoint(p.date, p.percent) for p in values["planned_value_profile"]
        )
    for email_field in ("manager", "sponsor"):
        if values.get(email_field):
            values[email_field] = values[email_field].lower()
    return values


class ProjectClose(StrictInput):
    """Why a project is closed."""

    model_config = documented_examples(
        {"reason": "Delivered: the new warehouse system is in service."}
    )

    reason: Note | None = None


class ProjectOut(OutputModel):
    """A project of the registry."""

    id: str
    name: str
    manager: str
    sponsor: str | None
    methodology: str
    start_date: date
    end_date: date
    budget: float
    currency: str
    milestones: list[MilestoneOut]
    planned_value_profile: PlannedValueProfileOut
    portfolio_id: str | None
    program_id: str | None
    external_ref: str | None
    status: str
    version: int
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None


class PortfolioCreate(StrictInput):
    """A portfolio to create."""

    model_config = documented_examples(
        {
            "name": "Supply chain",
            "owner": "linus.pauling@example.com",
            "description": "Projects that modernise sourcing, warehousing and transport.",
        }
    )

    name: PlainName
    owner: EmailStr
    description: Description | None = None
    scoring_model_id: Identifier | None = Field(
        default=None, description="The scoring model its requests are scored with"
    )


class PortfolioPatch(PatchInput):
    """Changes to a portfolio; absent fields keep their value."""

    model_config = patch_schema(
        {"owner": "marie.curie@example.com"},
        {"name": "Supply chain and logistics", "description": None},
    )
    nullable: ClassVar[frozenset[str]] = frozenset({"description", "scoring_model_id"})

    name: PlainName | None = None
    owner: EmailStr | None = None
    description: Description | None = None
    scoring_model_id: Identifier | None = None


class PortfolioOut(OutputModel):
    """A portfolio."""

    id: str
    name: str
    owner: str
    description: str | None
    scoring_model_id: str | None
    created_at: datetime


class ProgramCreate(StrictInput):
    """A programme to create."""

    model_config = documented_examples(
        {
            "name": "Warehouse automation",
            "owner": "katherine.johnson@example.com",
            "description": "Robotics and software for the three regional warehouses.",
        }
    )

    name: PlainName
    owner: EmailStr
    portfolio_id: Identifier | None = None
    description: Description | None = None


class ProgramPatch(PatchInput):
    """Changes to a programme; absent fields keep their value."""

    model_config = patch_schema(
        {"owner": "dorothy.vaughan@example.com"},
        {"name": "Warehouse automation, phase 2", "portfolio_id": None},
    )
    nullable: ClassVar[frozenset[str]] = frozenset({"description", "portfolio_id"})

    name: PlainName | None = None
    owner: EmailStr | None = None
    portfolio_id: Identifier | None = None
    description: Description | None = None


class ProgramOut(OutputModel):
    """A programme."""

    id: str
    name: str
    owner: str
    portfolio_id: str | None
    description: str | None
    created_at: datetime


REQUEST_EXAMPLE: dict[str, Any] = {
    "title": "Replace the warehouse management system",
    "business_case": (
        "The current system is out of support at the end of 2026.\n"
        "A replacement cuts picking errors by a third."
    ),
    "project": PROJECT_EXAMPLE,
}


class RequestCreate(StrictInput):
    """A proposal for a new project, for the PMO to decide."""

    model_config = documented_examples(REQUEST_EXAMPLE)

    title: PlainName
    business_case: BusinessCase | None = None
    project: ProjectCreate


class RequestPatch(PatchInput):
    """Changes to a draft request."""

    model_config = patch_schema(
        {"title": "Replace the warehouse management system (phase 1)"},
        {"business_case": None},
        {"project": {**PROJECT_EXAMPLE, "budget": 900000, "end_date": "2026-10-30"}},
    )
    nullable: ClassVar[frozenset[str]] = frozenset({"business_case"})

    title: PlainName | None = None
    business_case: BusinessCase | None = None
    project: ProjectCreate | None = None


class RequestDecision(StrictInput):
    """The PMO's comment on a decision."""

    model_config = documented_examples(
        {"comment": "Approved for the 2026 portfolio; start in January."}
    )

    comment: Description | None = None


class RequestOut(OutputModel):
    """A project request."""

    id: str
    title: str
    business_case: str | None
    requested_by: str
    project: dict[str, object] = Field(validation_alias="proposal")
    status: str
    decided_by: str | None
    decision_comment: str | None
    project_id: str | None
    portfolio_id: str | None
    score: float | None = Field(description="0-100: the reviewers' weighted, normalised mean")
    score_breakdown: list[CriterionScoreOut]
    score_spread: float | None = Field(
        description="The range (highest - lowest) of the reviewers' own scores"
    )
    created_at: datetime
    updated_at: datetime


class RequestDetailOut(RequestOut):
    """A project request with its history (every step, oldest first)."""

    history: list[TransitionOut] = Field(default_factory=list)

    @classmethod
    def of(cls, request: ProjectRequest, history: Sequence[RequestTransition]) -> RequestDetailOut:
        """The answer about one request."""
        steps = [TransitionOut.model_validate(step) for step in history]
        return cls.model_validate(request).model_copy(update={"history": steps})
