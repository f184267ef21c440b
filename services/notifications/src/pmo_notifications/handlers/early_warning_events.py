"""Monitoring's early warnings: project.early_warning and project.early_warning_cleared.

A project has one open `early_warning` alert (a warning) whose reasons are its active warnings,
one per metric: a second metric's warning adds a reason to the same alert, a cleared warning
removes its own, and the alert is resolved when none remains. Nobody is e-mailed without a
subscription: a warning goes to the inbox and the digest.

A warning and its end travel on two topics: each metric's item keeps the (as_of,
health_version) of the signal that last changed it, and an older signal changes nothing.
"""

from __future__ import annotations

import logging
from functools import partial

from pmo_common.events.payloads import EarlyWarning, EarlyWarningCleared
from pmo_common.messaging.consumed_events import Consumed
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db.alert_item_repository import get_item, items_of_kind, save_item
from pmo_notifications.db.alert_repository import find_alert
from pmo_notifications.domain.alert_items import AlertItem, newer_than, reasons_of
from pmo_notifications.domain.alert_lifecycle import AlertRecord
from pmo_notifications.domain.alert_rules import (
    EARLY_WARNING,
    WARNING,
    deduplication_key,
    early_warning_title,
    item_key,
    item_prefix,
)
from pmo_notifications.domain.clock import utc_now
from pmo_notifications.domain.email_composition import EmailDraft
from pmo_notifications.domain.health_emails import (
    EarlyWarningNotice,
    compose_early_warning_cleared_email,
    compose_early_warning_email,
)
from pmo_notifications.domain.project_projection import ProjectRecord
from pmo_notifications.domain.reason_line import ReasonLine
from pmo_notifications.domain.subscription_matching import routing_severity
from pmo_notifications.handlers.alert_commands import (
    new_alert,
    open_alert_unless_active,
    resolve_active_alerts,
)
from pmo_notifications.handlers.alert_severity import update_active_alert
from pmo_notifications.handlers.notification_routing import Notifier
from pmo_notifications.handlers.signal_scope import (
    record_signal_project,
    routing_portfolio,
    signal_notifier,
)

CLEARED_NOTE = "Every early warning of the project cleared"
log = logging.getLogger(__name__)

EarlyWarningSignal = EarlyWarning | EarlyWarningCleared


async def on_early_warning(session: AsyncSession, event: Consumed[EarlyWarning]) -> None:
    """Add the metric's warning to the project's early-warning alert (opening it if needed)."""
    payload = event.payload
    reason = ReasonLine(
        payload.code,
        payload.message,
        metric=payload.metric,
        value=payload.value,
        threshold=payload.threshold,
        messages=dict(payload.messages),
    )
    email = partial(
        compose_early_warning_email,
        notice=EarlyWarningNotice(
            project_name=payload.project_name,
            metric=payload.metric,
            message=payload.message,
            as_of=payload.as_of,
            forecast_crossing_date=payload.forecast_crossing_date,
            messages=dict(payload.messages),
        ),
    )
    await _apply(session, event, active=True, reason=reason, email=email)


async def on_early_warning_cleared(
    session: AsyncSession, event: Consumed[EarlyWarningCleared]
) -> None:
    """Remove the metric's warning from the project's early-warning alert; resolve the alert
    when no warning remains."""
    payload = event.payload
    email = partial(
        compose_early_warning_cleared_email,
        project_name=payload.project_name,
        metric=payload.metric,
        as_of=payload.as_of,
    )
    await _apply(session, event, active=False, reason=None, email=email)


async def _apply(
    session: AsyncSession,
    event: Consumed[EarlyWarning] | Consumed[EarlyWarningCleared],
    *,
    active: bool,
    reason: ReasonLine | None,
    email: EmailDraft,
) -> None:
    payload = event.payload
    project = (await record_signal_project(session, payload)).project
    key = item_key(EARLY_WARNING, payload.metric)
    known = await get_item(session, project_id=payload.project_id, item_key=key, for_update=True)
    if not newer_than(known, as_of=payload.as_of, health_version=payload.health_version):
        log.info(
            "%s of %s on %s is older than the one applied",
            event.type,
            payload.project_id,
            payload.metric,
            extra={"event_id": event.id},
        )
        return
    item = AlertItem(
        project_id=payload.project_id,
        item_key=key,
        alert_id=known.alert_id if known else None,
        active=active,
        reason=reason if active else (known.reason if known else None),
        period=None,
        as_of=payload.as_of,
        health_version=payload.health_version,
        signalled_at=utc_now() if active or known is None else known.signalled_at,
    )
    await save_item(session, item=item, exists=known is not None)
    notifier = await signal_notifier(session, project, payload)
    alert = await _follow_warnings(session, payload, project, notifier)
    await notifier.deliver(
        event.envelope,
        portfolio_id=routing_portfolio(project, payload),
        severity=routing_severity(event.type),
        alert_id=alert.id if alert else None,
        email=email,
        to=[],
    )


async def _follow_warnings(
    session: AsyncSession, signal: EarlyWarningSignal, project: ProjectRecord, notifier: Notifier
) -> AlertRecord | None:
    """The project's early-warning alert after its warnings changed: its reasons are the active
    warnings; opened with the first, resolved when none remains."""
    items = await items_of_kind(session, project_id=project.id, prefix=item_prefix(EARLY_WARNING))
    reasons = reasons_of(items)
    title = early_warning_title(
        signal.project_name, [reason.metric or reason.code for reason in reasons]
    )
    open_alert = await find_alert(
        session,
        project_id=project.id,
        deduplication_key=deduplication_key(EARLY_WARNING),
        active_only=True,
    )
    if not reasons:
        if open_alert is None:
            return None
        resolved = await resolve_active_alerts(
            session, project, kind=EARLY_WARNING, note=CLEARED_NOTE, notifier=notifier
        )
        return resolved[0] if resolved else None
    if open_alert is None:
        alert = new_alert(
            signal,
            kind=EARLY_WARNING,
            deduplication_key=deduplication_key(EARLY_WARNING),
            severity=WARNING,
            title=title,
            reasons=reasons,
            rag=project.rag,
        )
        if not await open_alert_unless_active(
            session, alert=alert, notifier=notifier, portfolio_id=project.portfolio_id
        ):
            raise RuntimeError(f"the early-warning alert of {project.id} opened meanwhile")
        return alert
    return await update_active_alert(
        session,
        open_alert,
        notifier=notifier,
        portfolio_id=project.portfolio_id,
        project_name=signal.project_name,
        title=title,
        reasons=reasons,
    )
