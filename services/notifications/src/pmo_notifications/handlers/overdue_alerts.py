"""Alerts about something overdue (a status report, a recovery action): one alert per item,
however often it is signalled, and one reminder to whoever owes it."""

from __future__ import annotations

from pmo_common.events.payloads import ActionOverdue, ReportOverdue
from pmo_common.messaging.consumed_events import Consumed
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db.alert_repository import find_alert
from pmo_notifications.domain.email_composition import ComposedEmail
from pmo_notifications.domain.reason_line import ReasonLine
from pmo_notifications.handlers.alert_commands import new_alert, open_alert_unless_active
from pmo_notifications.handlers.signal_scope import (
    record_signal_project,
    routing_portfolio,
    signal_notifier,
)

# Something overdue is late, not yet harmful.
OVERDUE_SEVERITY = "warning"


async def alert_once_overdue(
    session: AsyncSession,
    event: Consumed[ReportOverdue] | Consumed[ActionOverdue],
    *,
    kind: str,
    key: str,
    title: str,
    reason: str,
    reminder: ComposedEmail,
    remind: str,
) -> None:
    """Open the item's alert (`kind`, deduplicated on `key`, its one reason measured in days
    overdue) and e-mail `reminder` to `remind`, unless the item was ever signalled before."""
    payload = event.payload
    project = (await record_signal_project(session, payload)).project
    known = await find_alert(
        session, project_id=payload.project_id, deduplication_key=key, active_only=False
    )
    if known is not None:
        return  # this item was already signalled: one alert, one reminder
    days = ReasonLine(kind, reason, metric="days_overdue", value=payload.days_overdue, threshold=0)
    alert = new_alert(
        payload,
        kind=kind,
        deduplication_key=key,
        severity=OVERDUE_SEVERITY,
        title=title,
        reasons=(days,),
        rag=None,
    )
    notifier = await signal_notifier(session, project, payload)
    if not await open_alert_unless_active(
        session, alert=alert, notifier=notifier, portfolio_id=project.portfolio_id
    ):
        return  # another replica opened this item's alert at the same moment
    await notifier.deliver(
        event.envelope,
        portfolio_id=routing_portfolio(project, payload),
        severity=OVERDUE_SEVERITY,
        alert_id=alert.id,
        email=reminder,
        to=[remind],
    )
