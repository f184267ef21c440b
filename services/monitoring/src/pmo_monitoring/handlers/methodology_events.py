"""Consumed events of standards' methodologies: a newer version with its thresholds."""

from __future__ import annotations

from datetime import UTC, datetime

from pmo_common.events.payloads import MethodologyPublished
from pmo_common.messaging.consumed_events import Consumed, PermanentEventError
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db import projection_repository as projections
from pmo_monitoring.domain.copying import copied
from pmo_monitoring.domain.methodology_thresholds import thresholds_for_methodology
from pmo_monitoring.domain.records import Methodology
from pmo_monitoring.handlers.health_assessment import reassess_and_publish, today_utc


async def on_methodology_published(
    session: AsyncSession, event: Consumed[MethodologyPublished]
) -> None:
    """Adopt a newer methodology version's thresholds and re-assess the projects using it."""
    published = event.payload
    stored = await projections.get_methodology(session, key=published.key)
    if stored is not None and published.version <= stored.version:
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
        methodology=copied(
            Methodology,
            published,
            thresholds=dict(published.thresholds),
            received_at=datetime.now(UTC),
        ),
        exists=stored is not None,
    )
    today = today_utc()
    for listed in await projections.list_projects(
        session, methodology=published.key, include_closed=False
    ):
        context = await projections.get_project_context(
            session, project_id=listed.id, for_update=True
        )
        if context is not None:
            await reassess_and_publish(session, context, today=today)
