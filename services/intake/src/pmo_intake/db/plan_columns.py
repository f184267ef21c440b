"""How a project's plan (milestones and planned-value profile) sits in JSON columns: the
projects table and the baseline versions store it the same way."""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import RowMapping

from pmo_intake.domain.baselines import milestones_from_json, profile_from_json
from pmo_intake.domain.records import MilestonePlan, PlannedValuePoint


class HasPlan(Protocol):
    """A record carrying a plan: a project or a baseline version."""

    @property
    def milestones(self) -> tuple[MilestonePlan, ...]: ...

    @property
    def planned_value_profile(self) -> tuple[PlannedValuePoint, ...]: ...


def plan_of(row: RowMapping) -> dict[str, Any]:
    """The row's plan as the records hold it (the JSON holds the dates as ISO strings)."""
    return {
        "milestones": milestones_from_json(row["milestones"]),
        "planned_value_profile": profile_from_json(row["planned_value_profile"]),
    }


def plan_columns(record: HasPlan) -> dict[str, Any]:
    """The record's plan as its JSON columns store it."""
    return {
        "milestones": [milestone.as_json() for milestone in record.milestones],
        "planned_value_profile": [point.as_json() for point in record.planned_value_profile],
    }
