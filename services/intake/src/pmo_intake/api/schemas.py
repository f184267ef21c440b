"""Request and response bodies of intake's API."""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime
from typing import Annotated, Any

from pmo_common.contract import (
    DEFAULT_CURRENCY,
    DEFAULT_METHODOLOGY,
    MAX_MILESTONES,
    MAX_PROFILE_POINTS,
)
from pmo_common.web.schemas import OutputModel
from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints, field_validator

from pmo_intake.domain.records import (
    BASELINE_FIELDS,
    Baseline,
    MilestonePlan,
    PlannedValuePoint,
)

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Identifier = Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F-]{36}$")]


class StrictInput(BaseModel):
    """Inputs refuse fields they do not know, so typos are not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class MilestoneIn(StrictInput):
    """A baseline milestone."""

    name: Name
    due_date: date


class PlannedValuePointIn(StrictInput):
    """By `date`, `percent` of the budget is planned to be earned (cumulative)."""

    date: dt.date
    percent: float = Field(ge=0, le=100)


class ProjectCreate(StrictInput):
    """A project to register."""

    name: Name
    manager: EmailStr
    sponsor: EmailStr | None = None
    methodology: str = Field(default=DEFAULT_METHODOLOGY, max_length=64)
    start_date: date
    end_date: date
    budget: float = Field(gt=0, le=1e13, description="Budget at completion (BAC)")
    currency: Currency = Field(default=DEFAULT_CURRENCY, description="ISO 4217 code")
    milestones: list[MilestoneIn] = Field(default_factory=list, max_length=MAX_MILESTONES)
    planned_value_profile: list[PlannedValuePointIn] = Field(
        default_factory=list,
        max_length=MAX_PROFILE_POINTS,
        description="Cumulative planned % of budget by date; empty means a straight line",
    )
    portfolio_id: Identifier | None = None
    program_id: Identifier | None = None
    external_ref: str | None = Field(default=None, max_length=100)

    def baseline(self) -> Baseline:
        """The baseline of the project to register."""
        return Baseline(**_as_recorded({name: getattr(self, name) for name in BASELINE_FIELDS}))


class ProjectPatch(StrictInput):
    """Fields to change; absent fields keep their value."""

    name: Name | None = None
    manager: EmailStr | None = None
    sponsor: EmailStr | None = None
    methodology: str | None = Field(default=None, max_length=64)
    start_date: date | None = None
    end_date: date | None = None
    budget: float | None = Field(default=None, gt=0, le=1e13)
    currency: Currency | None = None
    milestones: list[MilestoneIn] | None = Field(default=None, max_length=MAX_MILESTONES)
    planned_value_profile: list[PlannedValuePointIn] | None = Field(
        default=None, max_length=MAX_PROFILE_POINTS
    )
    portfolio_id: Identifier | None = None
    program_id: Identifier | None = None
    external_ref: str | None = Field(default=None, max_length=100)

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

    reason: str | None = Field(default=None, max_length=2000)


class MilestoneOut(OutputModel):
    """A baseline milestone."""

    name: str
    due_date: date


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
    planned_value_profile: list[dict[str, object]]
    portfolio_id: str | None
    program_id: str | None
    external_ref: str | None
    status: str
    version: int
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None

    @field_validator("planned_value_profile", mode="before")
    @classmethod
    def _profile_points(cls, value: object) -> object:
        if isinstance(value, tuple | list):
            return [
                {"date": p.on.isoformat(), "percent": p.percent}
                if isinstance(p, PlannedValuePoint)
                else p
                for p in value
            ]
        return value


class PortfolioCreate(StrictInput):
    """A portfolio to create."""

    name: Name
    owner: EmailStr
    description: str | None = Field(default=None, max_length=4000)


class PortfolioOut(OutputModel):
    """A portfolio."""

    id: str
    name: str
    owner: str
    description: str | None
    created_at: datetime


class ProgramCreate(StrictInput):
    """A programme to create."""

    name: Name
    owner: EmailStr
    portfolio_id: Identifier | None = None
    description: str | None = Field(default=None, max_length=4000)


class ProgramOut(OutputModel):
    """A programme."""

    id: str
    name: str
    owner: str
    portfolio_id: str | None
    description: str | None
    created_at: datetime


class RequestCreate(StrictInput):
    """A proposal for a new project, for the PMO to decide."""

    title: Name
    business_case: str | None = Field(default=None, max_length=10000)
    project: ProjectCreate


class RequestPatch(StrictInput):
    """Changes to a draft request."""

    title: Name | None = None
    business_case: str | None = Field(default=None, max_length=10000)
    project: ProjectCreate | None = None


class RequestDecision(StrictInput):
    """The PMO's comment on a decision."""

    comment: str | None = Field(default=None, max_length=4000)


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
    created_at: datetime
    updated_at: datetime
