"""An active alert whose severity follows its project's condition: raised or lowered in place.

The alert keeps its id (PagerDuty: one incident per de-duplication key, its severity changed
on the incident); each change is listed on the alert and announced as alert.severity_changed.
Only a critical alert climbs its escalation ladder (ADR 0016): a raise to critical puts an
open alert on it afresh, a lowering takes it off.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from pmo_common.events.catalog import ALERT_SEVERITY_CHANGED
from pmo_common.events.payloads import AlertSeverityChanged
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db.alert_repository import save_alert_signal
from pmo_notifications.db.outbox import outbox
from pmo_notifications.domain.alert_emails import compose_severity_change_email
from pmo_notifications.domain.alert_lifecycle import OPEN, AlertRecord, SeverityChange
from pmo_notifications.domain.alert_rules import CRITICAL
from pmo_notifications.domain.clock import utc_now
from pmo_notifications.domain.severity import is_escalation
from pmo_notifications.handlers.alert_commands import alert_event
from pmo_notifications.handlers.alert_escalation import on_escalation_ladder
from pmo_notifications.handlers.notification_routing import EventToRoute, Notifier


async def update_active_alert(
    session: AsyncSession,
    alert: AlertRecord,
    *,
    notifier: Notifier,
    portfolio_id: str | None,
    **told: object,
) -> AlertRecord:
    """The active `alert` (read locked) updated with what a newer signal `told` (any of
    project_name, severity, title, reasons, rag), stored; a change of severity is recorded and
    announced in `portfolio_id`."""
    at = utc_now()
    updated = replace(alert, **told, last_event_at=at)  # type: ignore[arg-type]
    if updated.severity != alert.severity:
        change = SeverityChange(at=at, previous=alert.severity, current=updated.severity)
        updated = await _on_ladder_for(
            session,
            replace(updated, severity_changes=(*alert.severity_changes, change)),
            portfolio_id=portfolio_id,
        )
    changed = updated.severity != alert.severity
    await save_alert_signal(session, alert=updated, severity_changed=changed)
    if changed:
        await _announce_severity_change(
            session, updated, previous=alert.severity, notifier=notifier, portfolio_id=portfolio_id
        )
    return updated


async def _on_ladder_for(
    session: AsyncSession, alert: AlertRecord, *, portfolio_id: str | None
) -> AlertRecord:
    """The alert's ladder after its severity changed: an open alert raised to critical starts
    its portfolio's policy afresh from the raise (its level and repeats back to 0, level 1 due
    after the first wait); any other alert is off the ladder until raised again."""
    off = replace(alert, next_escalation_at=None)
    if alert.severity != CRITICAL or alert.status != OPEN:
        return off
    restarted = replace(
        off, opened_at=alert.last_event_at, escalation_level=0, escalation_repeats=0
    )
    placed = await on_escalation_ladder(session, restarted, portfolio_id=portfolio_id)
    # The ladder counts from the raise; the alert still opened when it first did.
    return replace(placed, opened_at=alert.opened_at)


async def _announce_severity_change(
    session: AsyncSession,
    alert: AlertRecord,
    *,
    previous: str,
    notifier: Notifier,
    portfolio_id: str | None,
) -> None:
    payload = AlertSeverityChanged(
        **alert_event(alert).model_dump(),
        previous_severity=previous,
    )
    event = await outbox.enqueue(session, ALERT_SEVERITY_CHANGED, payload, subject=alert.project_id)
    # Routed at the higher of the two severities: whoever was told of the critical alert also
    # hears it was lowered (a lowering routed as warning would miss `min_severity: critical`).
    higher = alert.severity if is_escalation(previous, alert.severity) else previous
    notifier.route(
        EventToRoute(
            event=event,
            portfolio_id=portfolio_id,
            severity=higher,
            alert_id=alert.id,
            subscriber_email=partial(
                compose_severity_change_email,
                title=alert.title,
                previous=previous,
                current=alert.severity,
            ),
        )
    )
