"""Monitoring's signals: project.at_risk, project.recovered, project.report_overdue.

Each handler loads what its event needs once: the project (recorded if first heard of here),
then the silences and subscriptions of its scope (`Notifier`), and plans every delivery the
event causes in one write.
"""

from __future__ import annotations

import logging

from pmo_common.events.payloads import ProjectAtRisk, ProjectRecovered, Reason, ReportOverdue
from pmo_common.messaging.consumed_events import Consumed
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db.alert_repository import find_alert, refresh_alert_signal
from pmo_notifications.domain.alert_lifecycle import AlertRecord
from pmo_notifications.domain.alert_rules import (
    AT_RISK,
    REPORT_OVERDUE,
    at_risk_title,
    deduplication_key,
    recovery_note,
    report_overdue_title,
    should_notify_again,
)
from pmo_notifications.domain.clock import utc_now
from pmo_notifications.domain.email_composition import (
    ComposedEmail,
    HealthNotice,
    ReasonLine,
    compose_at_risk_email,
    compose_overdue_email,
    compose_recovery_email,
)
from pmo_notifications.domain.project_projection import HealthSignalStamp, ProjectRecord
from pmo_notifications.domain.subscription_matching import routing_severity
from pmo_notifications.handlers.alert_commands import (
    new_alert,
    open_alert_unless_active,
    resolve_active_alerts,
)
from pmo_notifications.handlers.alert_escalation import on_escalation_ladder
from pmo_notifications.handlers.notification_routing import Notifier
from pmo_notifications.handlers.overdue_alerts import alert_once_overdue
from pmo_notifications.handlers.project_facts import HealthSignal
from pmo_notifications.handlers.signal_scope import (
    record_signal_project,
    routing_portfolio,
    signal_notifier,
)

ALREADY_RECOVERED_NOTE = "The project had already recovered when this at-risk signal arrived"
log = logging.getLogger(__name__)


async def on_project_at_risk(session: AsyncSession, event: Consumed[ProjectAtRisk]) -> None:
    """Open the project's at-risk alert (or refresh the one already open) and tell its manager."""
    payload = event.payload
    signalled = await record_signal_project(session, payload, stamp=_stamp(event))
    project = signalled.project
    notifier = await signal_notifier(session, project, payload)
    reasons = _reason_lines(payload.reasons)
    title = at_risk_title(payload.project_name, payload.rag)
    alert = new_alert(
        payload,
        kind=AT_RISK,
        deduplication_key=deduplication_key(AT_RISK),
        severity=payload.severity,
        title=title,
        reasons=reasons,
        rag=payload.rag,
    )
    if not signalled.newest:
        await _record_episode_already_over(session, event, alert, notifier, project)
        return
    alert = await on_escalation_ladder(
        session, alert, portfolio_id=routing_portfolio(project, payload)
    )
    alert_id, notify_manager = alert.id, True
    opened = await open_alert_unless_active(
        session, alert=alert, notifier=notifier, portfolio_id=project.portfolio_id
    )
    if not opened:
        existing = await find_alert(
            session,
            project_id=payload.project_id,
            deduplication_key=alert.deduplication_key,
            active_only=True,
        )
        if existing is None:  # resolved between the two statements: the retry opens one
            raise RuntimeError(f"the active at-risk alert of {payload.project_id} vanished")
        await refresh_alert_signal(
            session,
            alert_id=existing.id,
            project_name=payload.project_name,
            severity=payload.severity,
            title=title,
            reasons=reasons,
            rag=payload.rag,
            last_event_at=utc_now(),
        )
        alert_id = existing.id
        notify_manager = should_notify_again(existing.severity, payload.severity)
    email = compose_at_risk_email(
        HealthNotice(
            project_name=payload.project_name,
            rag=payload.rag,
            as_of=payload.as_of,
            reasons=reasons,
            metrics=payload.metrics.model_dump(mode="json"),
            severity=payload.severity,
            sponsor=payload.sponsor,
            alert_id=alert_id,
        )
    )
    await _deliver_signal(
        notifier,
        event,
        project,
        severity=payload.severity,
        alert_id=alert_id,
        email=email,
        to_manager=notify_manager,
    )


async def on_project_recovered(session: AsyncSession, event: Consumed[ProjectRecovered]) -> None:
    """Resolve the project's at-risk alert and tell its manager the project has recovered."""
    payload = event.payload
    signalled = await record_signal_project(session, payload, stamp=_stamp(event))
    if not signalled.newest:
        # Sent before an at-risk signal that has already applied: that alert is current.
        _log_stale(event)
        return
    project = signalled.project
    notifier = await signal_notifier(session, project, payload)
    resolved = await resolve_active_alerts(
        session, project, kind=AT_RISK, note=recovery_note(payload.rag), notifier=notifier
    )
    email = compose_recovery_email(
        HealthNotice(
            project_name=payload.project_name,
            rag=payload.rag,
            as_of=payload.as_of,
            reasons=_reason_lines(payload.reasons),
            metrics=payload.metrics.model_dump(mode="json"),
            previous_rag=payload.previous_rag,
            sponsor=payload.sponsor,
        )
    )
    await _deliver_signal(
        notifier,
        event,
        project,
        severity=routing_severity(event.type),
        alert_id=resolved[0].id if resolved else None,
        email=email,
    )


async def on_report_overdue(session: AsyncSession, event: Consumed[ReportOverdue]) -> None:
    """Open one alert per project and missed period, and remind the manager to report."""
    payload = event.payload
    since = (
        f"No status report since {payload.last_report_at.isoformat()}"
        if payload.last_report_at
        else "No status report has been filed yet"
    )
    await alert_once_overdue(
        session,
        event,
        kind=REPORT_OVERDUE,
        key=deduplication_key(REPORT_OVERDUE, payload.period),
        title=report_overdue_title(payload.project_name, payload.days_overdue),
        reason=(
            f"{since}; the one due on {payload.due_date.isoformat()} is "
            f"{payload.days_overdue} days overdue."
        ),
        reminder=compose_overdue_email(payload),
        remind=payload.manager,
    )


async def _record_episode_already_over(
    session: AsyncSession,
    event: Consumed[ProjectAtRisk],
    alert: AlertRecord,
    notifier: Notifier,
    project: ProjectRecord,
) -> None:
    """An at-risk signal older than the newest health signal of its project.

    At-risk and recovered travel on two topics, which Kafka does not order with each other. When
    the recovery was applied first, the episode is over: it is kept on record as an alert opened
    and resolved at once (alert.raised, alert.resolved), and nobody is told the project is at
    risk after being told it recovered. When the newest signal was itself an at-risk one, its
    alert is open already and this older one changes nothing.
    """
    _log_stale(event)
    if await open_alert_unless_active(
        session, alert=alert, notifier=notifier, portfolio_id=project.portfolio_id
    ):
        await resolve_active_alerts(
            session, project, kind=AT_RISK, note=ALREADY_RECOVERED_NOTE, notifier=notifier
        )


def _log_stale(event: Consumed[ProjectAtRisk] | Consumed[ProjectRecovered]) -> None:
    log.info(
        "%s is older than the newest health signal of project %s",
        event.type,
        event.payload.project_id,
        extra={"event_id": event.id},
    )


def _stamp(event: Consumed[ProjectAtRisk] | Consumed[ProjectRecovered]) -> HealthSignalStamp:
    # The report date and health version monitoring judged, then the time it sent the signal.
    payload = event.payload
    return HealthSignalStamp(
        as_of=payload.as_of, version=payload.health_version, sent_at=event.envelope.time
    )


async def _deliver_signal(
    notifier: Notifier,
    event: Consumed[HealthSignal],
    project: ProjectRecord,
    *,
    severity: str,
    alert_id: str | None,
    email: ComposedEmail,
    to_manager: bool = True,
) -> None:
    # The manager is e-mailed without any subscription; subscribers get what they asked for.
    await notifier.deliver(
        event.envelope,
        portfolio_id=routing_portfolio(project, event.payload),
        severity=severity,
        alert_id=alert_id,
        email=email,
        to=[event.payload.manager] if to_manager else [],
    )


def _reason_lines(reasons: list[Reason]) -> tuple[ReasonLine, ...]:
    # Monitoring's reasons and the stored reason lines have the same fields.
    return tuple(ReasonLine(**reason.model_dump()) for reason in reasons)
