"""Keeping every baseline version heard of: from the snapshots of project.created/updated and
from project.rebaselined (the new version with who, when and why, and the one it replaced).

The projection itself (what health is judged against) follows project.created/updated only:
project.rebaselined records versions for the baseline variance, nothing else.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from pmo_common.events.payloads import BaselineSnapshot, ProjectRebaselined, ProjectSnapshot
from pmo_common.messaging.consumed_events import Consumed
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db import baseline_repository as baselines
from pmo_monitoring.domain.baseline_versions import RecordedBaseline
from pmo_monitoring.domain.model import BaselineMilestone, PlannedValuePoint


def _recorded(
    project_id: str, version: int, baseline: BaselineSnapshot | ProjectSnapshot
) -> RecordedBaseline:
    return RecordedBaseline(
        project_id=project_id,
        version=version,
        budget=baseline.budget,
        start_date=baseline.start_date,
        end_date=baseline.end_date,
        milestones=tuple(BaselineMilestone(m.name, m.due_date) for m in baseline.milestones),
        planned_value_profile=tuple(
            PlannedValuePoint(point.date, point.percent) for point in baseline.planned_value_profile
        ),
        recorded_at=datetime.now(UTC),
    )


async def record_snapshot_baseline(
    session: AsyncSession, snapshot: ProjectSnapshot, *, version: int
) -> None:
    """Keep the baseline a project.created/updated carries as `version`, unless known."""
    await baselines.record_version(
        session, baseline=_recorded(snapshot.project_id, version, snapshot)
    )


async def on_project_rebaselined(
    session: AsyncSession, event: Consumed[ProjectRebaselined]
) -> None:
    """Keep the new version with who changed it, when and why, and the version it replaced
    when it is not known yet (so a missed project.rebaselined heals at the next one).
    Replays write the same rows again."""
    rebaselined = event.payload
    project_id, version = rebaselined.project_id, rebaselined.version
    await baselines.record_version(
        session,
        baseline=_recorded(project_id, version - 1, rebaselined.previous),
    )
    current = replace(
        _recorded(project_id, version, rebaselined.current),
        reason=rebaselined.reason,
        changed_by=rebaselined.changed_by,
        changed_at=rebaselined.changed_at,
        change_request_id=rebaselined.change_request_id,
    )
    await baselines.record_version(session, baseline=current)
