"""A baseline's milestones and planned-value profile as the JSON columns keep them (dates as ISO
strings), shared by the projection and the baseline versions."""

from __future__ import annotations

from typing import Any, Protocol

from pmo_common.db.rows import RowLike

from pmo_monitoring.domain.model import BaselineMilestone, PlannedValuePoint
from pmo_monitoring.domain.records import as_date


class HasPlan(Protocol):
    """A record with a baseline's milestones and planned-value profile."""

    @property
    def milestones(self) -> tuple[BaselineMilestone, ...]: ...

    @property
    def planned_value_profile(self) -> tuple[PlannedValuePoint, ...]: ...


def plan_of(row: RowLike) -> dict[str, Any]:
    """The `milestones` and `planned_value_profile` fields of a row's record."""
    return {
        "milestones": tuple(
            BaselineMilestone(m["name"], as_date(m["due_date"])) for m in row["milestones"]
        ),
        "planned_value_profile": tuple(
            PlannedValuePoint(as_date(point["date"]), point["percent"])
            for point in row["planned_value_profile"] or ()
        ),
    }


def plan_columns(record: HasPlan) -> dict[str, Any]:
    """The `milestones` and `planned_value_profile` column values of a record."""
    return {
        "milestones": [
            {"name": m.name, "due_date": m.due_date.isoformat()} for m in record.milestones
        ],
        "planned_value_profile": [
            {"date": point.on.isoformat(), "percent": point.percent}
            for point in record.planned_value_profile
        ],
    }
