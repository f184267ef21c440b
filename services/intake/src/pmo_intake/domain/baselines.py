"""Baselines under change control: the fields a project is measured against, each version of
them, and the change requests that propose the next one (plain records and rules, no I/O)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pmo_intake.domain.records import MilestonePlan, PlannedValuePoint, Project

# What a project is measured against. Changing any of these makes a new baseline version;
# the other project fields (name, manager, sponsor, ...) are not part of the baseline.
CONTROLLED_FIELDS: tuple[str, ...] = (
    "budget",
    "start_date",
    "end_date",
    "milestones",
    "planned_value_profile",
)

CHANGE_REQUEST_STATUSES = ("pending", "approved", "rejected")


@dataclass(frozen=True, slots=True, kw_only=True)
class BaselineVersion:
    """One numbered version of a project's baseline: what it was, who made it, when and why."""

    project_id: str
    version: int
    budget: float
    start_date: date
    end_date: date
    milestones: tuple[MilestonePlan, ...]
    planned_value_profile: tuple[PlannedValuePoint, ...]
    reason: str
    created_by: str
    created_at: datetime
    change_request_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeRequest:
    """A proposed change of a project's baseline, pending until approved or rejected.
    `changes` holds the proposed values as the API received them (dates as ISO strings)."""

    id: str
    project_id: str
    changes: Mapping[str, Any]
    justification: str
    requested_by: str
    requested_at: datetime
    status: str = "pending"
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_reason: str | None = None
    baseline_version: int | None = None


class ChangeRequestDecided(Exception):
    """A decision on a change request that was already decided."""


def baseline_version_of(
    project: Project,
    *,
    version: int,
    reason: str,
    created_by: str,
    created_at: datetime,
    change_request_id: str | None = None,
) -> BaselineVersion:
    """The project's baseline as version `version`, made by `created_by` for `reason`."""
    return BaselineVersion(
        project_id=project.id,
        version=version,
        budget=project.budget,
        start_date=project.start_date,
        end_date=project.end_date,
        milestones=project.milestones,
        planned_value_profile=project.planned_value_profile,
        reason=reason,
        created_by=created_by,
        created_at=created_at,
        change_request_id=change_request_id,
    )


def baseline_json(record: Project | BaselineVersion) -> dict[str, Any]:
    """The baseline of a project or of a version (without who, when and why), as events carry
    it."""
    return {
        "budget": record.budget,
        "start_date": record.start_date.isoformat(),
        "end_date": record.end_date.isoformat(),
        "milestones": [milestone.as_json() for milestone in record.milestones],
        "planned_value_profile": [point.as_json() for point in record.planned_value_profile],
    }


def controlled(field_names: Iterable[str]) -> list[str]:
    """The names among `field_names` that are under change control, sorted."""
    return sorted(set(field_names).intersection(CONTROLLED_FIELDS))


def recorded_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    """A change request's stored changes as the project record holds them."""
    recorded = dict(changes)
    for name in ("start_date", "end_date"):
        if name in recorded:
            recorded[name] = date.fromisoformat(recorded[name])
    if "budget" in recorded:
        recorded["budget"] = float(recorded["budget"])
    if "milestones" in recorded:
        recorded["milestones"] = milestones_from_json(recorded["milestones"])
    if "planned_value_profile" in recorded:
        recorded["planned_value_profile"] = profile_from_json(recorded["planned_value_profile"])
    return recorded


def milestones_from_json(stored: Iterable[Mapping[str, Any]]) -> tuple[MilestonePlan, ...]:
    """Milestones as `MilestonePlan.as_json` wrote them."""
    return tuple(MilestonePlan.from_json(milestone) for milestone in stored)


def profile_from_json(stored: Iterable[Mapping[str, Any]] | None) -> tuple[PlannedValuePoint, ...]:
    """A planned-value profile as `PlannedValuePoint.as_json` wrote it (None: none)."""
    return tuple(PlannedValuePoint.from_json(point) for point in stored or ())


def decision_status(request: ChangeRequest, action: str) -> str:
    """The status `action` ("approve" or "reject") gives a pending change request; a decided
    one cannot be decided again."""
    if request.status != "pending":
        raise ChangeRequestDecided(
            f"Change request {request.id} was already {request.status}; it cannot be decided again."
        )
    return "approved" if action == "approve" else "rejected"
