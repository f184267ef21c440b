"""Consumed events of notifications' alerts and standards' interventions: which are open.

Monitoring keeps only their ids (and an alert's title) per project, for the project page's
follow-up links; the opening and closing events of one alert or intervention travel on two
topics, so either may arrive first (db/follow_up_repository keeps the order that matters).
"""

from __future__ import annotations

from datetime import datetime

from pmo_common.events.payloads import AlertEvent, InterventionClosed, InterventionOpened
from pmo_common.messaging.consumed_events import Consumed
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db import follow_up_repository as follow_ups
from pmo_monitoring.domain.follow_ups import ALERT, INTERVENTION, FollowUp, FollowUpKind


def _follow_up(
    kind: FollowUpKind, item_id: str, project_id: str, title: str | None, at: datetime
) -> FollowUp:
    return FollowUp(kind, item_id, project_id, title, recorded_at=at, closed_at=None)


async def on_alert_raised(session: AsyncSession, event: Consumed[AlertEvent]) -> None:
    """An alert about a project opened: its page links to it until it is resolved."""
    alert = event.payload
    opened = _follow_up(ALERT, alert.alert_id, alert.project_id, alert.title, event.envelope.time)
    await follow_ups.record_opened(session, follow_up=opened)


async def on_alert_resolved(session: AsyncSession, event: Consumed[AlertEvent]) -> None:
    """An alert was resolved: its project's page no longer links to it."""
    alert = event.payload
    resolved = _follow_up(ALERT, alert.alert_id, alert.project_id, alert.title, event.envelope.time)
    await follow_ups.record_closed(session, follow_up=resolved, closed_at=event.envelope.time)


async def on_intervention_opened(
    session: AsyncSession, event: Consumed[InterventionOpened]
) -> None:
    """The PMO opened a case on a project: its page links to it until it closes."""
    case = event.payload
    opened = _follow_up(INTERVENTION, case.intervention_id, case.project_id, None, case.opened_at)
    await follow_ups.record_opened(session, follow_up=opened)


async def on_intervention_closed(
    session: AsyncSession, event: Consumed[InterventionClosed]
) -> None:
    """An intervention ended: its project's page no longer links to it."""
    case = event.payload
    closed = _follow_up(INTERVENTION, case.intervention_id, case.project_id, None, case.closed_at)
    await follow_ups.record_closed(session, follow_up=closed, closed_at=case.closed_at)
