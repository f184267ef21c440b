"""The numbered baselines of a project as monitoring heard of them (intake numbers them: 1 at
registration, one more for every approved change request or direct change)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pmo_monitoring.domain.model import BaselineMilestone, PlannedValuePoint


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordedBaseline:
    """One version of a project's baseline. Who changed it, when and why are known only when
    monitoring heard of it from project.rebaselined (None otherwise)."""

    project_id: str
    version: int
    budget: float
    start_date: date
    end_date: date
    milestones: tuple[BaselineMilestone, ...]
    planned_value_profile: tuple[PlannedValuePoint, ...]
    recorded_at: datetime
    reason: str | None = None
    changed_by: str | None = None
    changed_at: datetime | None = None
    change_request_id: str | None = None

    @property
    def has_provenance(self) -> bool:
        """Whether it says who changed the baseline and why (heard from project.rebaselined)."""
        return self.changed_by is not None
