"""Consumed events of intake's registry: a project created, updated or closed."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from pmo_common.events.payloads import (
    ProjectClosed,
    ProjectCreated,
    ProjectSnapshot,
    ProjectUpdated,
)
from pmo_common.messaging.consumed_events import Consumed, PermanentEventError
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db import projection_repository as projections
from pmo_monitoring.domain.copying import copied
from pmo_monitoring.domain.model import BaselineMilestone, PlannedValuePoint
from pmo_monitoring.domain.records import MonitoredProject, ProjectContext
from pmo_monitoring.handlers.baseline_events import record_snapshot_baseline
from pmo_monitoring.handlers.health_assessment import reassess_and_publish, today_utc

log = logging.getLogger(__name__)


def _projected(
    snapshot: ProjectSnapshot, *, closed_at: datetime | None, baseline_version: int
) -> MonitoredProject:
    """The projection of a snapshot (ValueError when its baseline is unusable)."""
    project = copied(
        MonitoredProject,
        snapshot,
        id=snapshot.project_id,
        milestones=tuple(
            BaselineMilestone(name=m.name, due_date=m.due_date) for m in snapshot.milestones
        ),
        planned_value_profile=tuple(
            PlannedValuePoint(on=point.date, percent=point.percent)
            for point in snapshot.planned_value_profile
        ),
        projected_at=datetime.now(UTC),
        closed_at=closed_at,
        baseline_version=baseline_version,
    )
    project.baseline()
    return project


async def _apply_snapshot(session: AsyncSession, snapshot: ProjectSnapshot) -> None:
    """Store a newer snapshot of a project and re-assess it against the new baseline."""
    context = await projections.get_project_context(
        session, project_id=snapshot.project_id, for_update=True
    )
    stored = context.project if context is not None else None
    # A snapshot from before baseline versions says none: project.created's baseline is
    # version 1, and a change keeps the number already known.
    known = snapshot.baseline_version or (1 if isinstance(snapshot, ProjectCreated) else None)
    if known is not None:
        await record_snapshot_baseline(session, snapshot, version=known)
    baseline_version = known or (stored.baseline_version if stored else 1)
    if stored is not None and snapshot.version <= stored.version:
        log.info(
            "ignoring project snapshot version %d: version %d is already projected",
            snapshot.version,
            stored.version,
            extra={"project_id": snapshot.project_id},
        )
        return
    try:
        project = _projected(
            snapshot,
            closed_at=stored.closed_at if stored else None,
            baseline_version=baseline_version,
        )
    except ValueError as exc:
        # Intake validates baselines, so this means the two disagree on the rules: keep the
        # previous snapshot and dead-letter this one with the reason rather than retry it.
        raise PermanentEventError(
            f"project {snapshot.project_id} version {snapshot.version} has an unusable "
            f"baseline: {exc}"
        ) from exc
    if context is None:
        await projections.insert_project(session, project=project)
        context = await projections.get_project_context(session, project_id=project.id)
        if context is None:  # pragma: no cover - inserted just above
            raise RuntimeError(f"project {project.id} was not found again")
    else:
        await projections.replace_project(session, project=project)
        context = ProjectContext(project, context.methodology, context.compliance)
    if not project.closed:
        await reassess_and_publish(session, context, today=today_utc())


async def on_project_created(session: AsyncSession, event: Consumed[ProjectCreated]) -> None:
    """Start monitoring a project registered in intake."""
    await _apply_snapshot(session, event.payload)


async def on_project_updated(session: AsyncSession, event: Consumed[ProjectUpdated]) -> None:
    """Follow a change of a project's baseline or ownership (stale versions are ignored)."""
    await _apply_snapshot(session, event.payload)


async def on_project_closed(session: AsyncSession, event: Consumed[ProjectClosed]) -> None:
    """Stop accepting reports for a closed project; its history stays readable."""
    closed = event.payload
    stored = await projections.get_project(session, project_id=closed.project_id, for_update=True)
    if stored is None:
        # Closing a project never created here means monitoring missed its history.
        raise PermanentEventError(
            f"monitoring has no projection of project {closed.project_id} to close"
        )
    if closed.version <= stored.version:
        return
    await projections.close_project(
        session,
        project_id=closed.project_id,
        name=closed.name,
        version=closed.version,
        closed_at=closed.closed_at,
        projected_at=datetime.now(UTC),
    )
