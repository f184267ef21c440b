"""Request and response bodies of baselines under change control: baseline versions and
change requests (the input models are re-exported by `api/schemas.py`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pmo_common.contract import MAX_MILESTONES, MAX_PROFILE_POINTS
from pmo_common.web.inputs import BoundedDate, PatchInput, StrictInput, documented_examples
from pmo_common.web.schemas import OutputModel
from pydantic import BeforeValidator, Field, model_validator

from pmo_intake.api.field_types import Budget, Reason
from pmo_intake.api.input_parts import MilestoneIn, PlannedValuePointIn, patch_schema
from pmo_intake.domain.records import PlannedValuePoint

CHANGES_EXAMPLE: dict[str, Any] = {
    "budget": 1400000,
    "end_date": "2027-03-31",
    "milestones": [
        {"name": "Design signed off", "due_date": "2026-04-30"},
        {"name": "Pilot warehouse live", "due_date": "2026-12-15"},
    ],
}


class BaselineChangesIn(PatchInput):
    """The baseline fields to change (at least one); absent fields keep their value, and
    `milestones` or `planned_value_profile`, when given, replace the whole list."""

    model_config = patch_schema(CHANGES_EXAMPLE, {"end_date": "2027-01-29"})

    budget: Budget | None = None
    start_date: BoundedDate | None = None
    end_date: BoundedDate | None = None
    milestones: list[MilestoneIn] | None = Field(default=None, max_length=MAX_MILESTONES)
    planned_value_profile: list[PlannedValuePointIn] | None = Field(
        default=None, max_length=MAX_PROFILE_POINTS
    )

    @model_validator(mode="after")
    def _changes_something(self) -> BaselineChangesIn:
        if not self.model_fields_set:
            raise ValueError("name at least one baseline field to change")
        return self

    def as_stored(self) -> dict[str, Any]:
        """The fields sent, as JSON (dates as ISO strings): how a change request keeps them."""
        return self.model_dump(mode="json", exclude_unset=True)


class ChangeRequestIn(StrictInput):
    """A proposed change of a project's baseline, and why it is needed."""

    model_config = documented_examples(
        {
            "changes": CHANGES_EXAMPLE,
            "justification": "The supplier delivers the robots a quarter late; the extra "
            "integration work costs 150,000.",
        }
    )

    changes: BaselineChangesIn
    justification: Reason


def _points_as_json(value: object) -> object:
    if isinstance(value, tuple | list):
        return [p.as_json() if isinstance(p, PlannedValuePoint) else p for p in value]
    return value


PlannedValueProfileOut = Annotated[list[dict[str, object]], BeforeValidator(_points_as_json)]
"""A planned-value profile as the API shows it: `[{date, percent}]`."""


class MilestoneOut(OutputModel):
    """A baseline milestone."""

    name: str
    due_date: date


class BaselineOut(OutputModel):
    """One version of a project's baseline: what it was, who made it, when and why."""

    project_id: str
    version: int
    budget: float
    start_date: date
    end_date: date
    milestones: list[MilestoneOut]
    planned_value_profile: PlannedValueProfileOut
    reason: str
    change_request_id: str | None = Field(description="The approved change request, if any")
    created_by: str
    created_at: datetime


class ChangeRequestOut(OutputModel):
    """A change request: `pending` until approved (then `baseline_version` is the version it
    made) or rejected (then `decision_reason` says why)."""

    id: str
    project_id: str
    status: str
    changes: dict[str, Any]
    justification: str
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None
    baseline_version: int | None
