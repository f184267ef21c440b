"""Events monitoring consumes: intake's registry, standards' methodologies and compliance."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from pmo_common.events.envelope import CloudEvent
from pmo_common.events.payloads import (
    ComplianceEvaluated,
    MethodologyPublished,
    ProjectClosed,
    ProjectCreated,
    ProjectSnapshot,
    ProjectUpdated,
)
from pmo_common.messaging.event_applier import EventHandler, PermanentEventError
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db import projection_repository as projections
from pmo_monitoring.domain.methodology_thresholds import thresholds_for_methodology
from pmo_monitoring.handlers.domain_records import baseline_from
from pmo_monitoring.handlers.event_publishing import emit_from_consumer
from pmo_monitoring.handlers.health_assessment import reassess_and_publish, today_utc

log = logging.getLogger(__name__)


def _projected(snapshot: ProjectSnapshot) -> dict[str, Any]:
    return {
        "id": snapshot.project_id,
        "name": snapshot.name,
        "manager": snapshot.manager,
        "sponsor": snapshot.sponsor,
        "methodology": snapshot.methodology,
        "start_date": snapshot.start_date,
        "end_date": snapshot.end_date,
        "budget": snapshot.budget,
        "currency": snapshot.currency,
        "milestones": [
            {"name": m.name, "due_date": m.due_date.isoformat()} for m in snapshot.milestones
        ],
        "planned_value_profile": [
            {"date": point.date.isoformat(), "percent": point.percent}
            for point in snapshot.planned_value_profile
        ],
        "portfolio_id": snapshot.portfolio_id,
        "program_id": snapshot.program_id,
        "status": snapshot.status,
        "version": snapshot.version,
        "projected_at": datetime.now(UTC),
    }


async def _apply_snapshot(session: AsyncSession, snapshot: ProjectSnapshot) -> None:
    """Store a newer snapshot of a project and re-assess it against the new baseline."""
    stored = await projections.get_project(session, snapshot.project_id, for_update=True)
    if stored is not None and snapshot.version <= stored["version"]:
        log.info(
            "ignoring project snapshot version %d: version %d is already projected",
            snapshot.version,
            stored["version"],
            extra={"project_id": snapshot.project_id},
        )
        return
    values = _projected(snapshot)
    try:
        baseline_from(values)
    except ValueError as exc:
        # Intake validates baselines, so this means the two disagree on the rules: keep the
        # previous snapshot and dead-letter this one with the reason rather than retry it.
        raise PermanentEventError(
            f"project {snapshot.project_id} version {snapshot.version} has an unusable "
            f"baseline: {exc}"
        ) from exc
    if stored is None:
        await projections.insert_project(session, {**values, "closed_at": None})
    else:
        await projections.update_project(session, snapshot.project_id, values)
    project = {**(stored or {"closed_at": None}), **values}
    if project["status"] != "closed":
        await reassess_and_publish(session, emit_from_consumer, project, today=today_utc())


async def on_project_created(session: AsyncSession, event: CloudEvent) -> None:
    """Start monitoring a project registered in intake."""
    await _apply_snapshot(session, ProjectCreated.model_validate(event.data))


async def on_project_updated(session: AsyncSession, event: CloudEvent) -> None:
    """Follow a change of a project's baseline or ownership (stale versions are ignored)."""
    await _apply_snapshot(session, ProjectUpdated.model_validate(event.data))


async def on_project_closed(session: AsyncSession, event: CloudEvent) -> None:
    """Stop accepting reports for a closed project; its history stays readable."""
    closed = ProjectClosed.model_validate(event.data)
    stored = await projections.get_project(session, closed.project_id, for_update=True)
    if stored is None:
        # Closing a project never created here means monitoring missed its history.
        raise PermanentEventError(
            f"monitoring has no projection of project {closed.project_id} to close"
        )
    if closed.version <= stored["version"]:
        return
    await projections.update_project(
        session,
        closed.project_id,
        {
            "name": closed.name,
            "status": "closed",
            "closed_at": closed.closed_at,
            "version": closed.version,
            "projected_at": datetime.now(UTC),
        },
    )


async def on_methodology_published(session: AsyncSession, event: CloudEvent) -> None:
    """Adopt a newer methodology version's thresholds and re-assess the projects using it."""
    published = MethodologyPublished.model_validate(event.data)
    stored = await projections.get_methodology(session, published.key)
    if stored is not None and published.version <= stored["version"]:
        return
    try:
        thresholds_for_methodology(
            report_cadence_days=published.report_cadence_days, overrides=published.thresholds
        )
    except ValueError as exc:
        # Dead-lettered with the reason; the previous version's thresholds stay in force.
        raise PermanentEventError(
            f"methodology {published.key} version {published.version} has unusable "
            f"thresholds: {exc}"
        ) from exc
    await projections.save_methodology(
        session,
        {
            "key": published.key,
            "name": published.name,
            "version": published.version,
            "report_cadence_days": published.report_cadence_days,
            "thresholds": dict(published.thresholds),
            "received_at": datetime.now(UTC),
        },
        exists=stored is not None,
    )
    today = today_utc()
    for listed in await projections.list_projects(
        session, methodology=published.key, include_closed=False
    ):
        project = await projections.get_project(session, listed["id"], for_update=True)
        if project is not None:
            await reassess_and_publish(session, emit_from_consumer, project, today=today)


async def on_compliance_evaluated(session: AsyncSession, event: CloudEvent) -> None:
    """Keep standards' latest compliance verdict, shown with the project's health."""
    evaluated = ComplianceEvaluated.model_validate(event.data)
    await projections.save_compliance(
        session,
        {
            "project_id": evaluated.project_id,
            "methodology": evaluated.methodology,
            "compliant": evaluated.compliant,
            "score": evaluated.score,
            "findings": [finding.model_dump() for finding in evaluated.findings],
            "evaluated_at": event.time,
        },
    )


HANDLERS: dict[str, EventHandler] = {
    "project.created": on_project_created,
    "project.updated": on_project_updated,
    "project.closed": on_project_closed,
    "standards.methodology.published": on_methodology_published,
    "project.compliance.evaluated": on_compliance_evaluated,
}
