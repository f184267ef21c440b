"""Monitoring's health signals: project.at_risk, project.recovered, project.health_changed.

The project's at-risk alert follows its colour (ADR 0016): a warning while amber, critical while
red, resolved at green, one alert throughout. `project.at_risk` (entering red) opens or raises it
and e-mails the manager; `project.recovered` (leaving red) lowers it to a warning at amber or
resolves it at green; `project.health_changed` covers what those two do not publish (into amber
from green or unknown, amber to green) and tells no one directly: a warning goes to the inbox.
The three travel on three topics: each applies to the alert only when it is the newest health
signal of its project (`HealthSignalStamp`).

Each handler loads what its event needs once: the project (recorded if first heard of here),
then the silences and subscriptions of its scope (`Notifier`), and plans every delivery the
event causes in one write.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from functools import partial

from pmo_common.events.payloads import HealthChanged, ProjectAtRisk, ProjectRecovered, Reason
from pmo_common.messaging.consumed_events import Consumed
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db.alert_repository import find_alert
from pmo_notifications.db.projection_repository import (
    SignalledProject,
    get_project,
    record_health_change,
    record_latest_health,
    record_signalled_project,
)
from pmo_notifications.domain.alert_lifecycle import AlertRecord
from pmo_notifications.domain.alert_rules import (
    AT_RISK,
    CRITICAL,
    at_risk_step,
    at_risk_title,
    deduplication_key,
    recovery_note,
    should_notify_again,
)
from pmo_notifications.domain.email_composition import EmailDraft
from pmo_notifications.domain.health_emails import (
    HealthNotice,
    compose_at_risk_email,
    compose_health_change_email,
    compose_recovery_email,
)
from pmo_notifications.domain.project_projection import (
    ACTIVE,
    SIGNALLED_VERSION,
    HealthChange,
    HealthSignalStamp,
    LatestHealth,
    ProjectRecord,
)
from pmo_notifications.domain.reason_line import ReasonLine
from pmo_notifications.domain.subscription_matching import health_routing_severity, routing_severity
from pmo_notifications.handlers.alert_commands import (
    NamedProject,
    new_alert,
    open_alert_unless_active,
    resolve_active_alerts,
)
from pmo_notifications.handlers.alert_escalation import on_escalation_ladder
from pmo_notifications.handlers.alert_severity import update_active_alert
from pmo_notifications.handlers.notification_routing import Notifier
from pmo_notifications.handlers.project_facts import HealthSignal
from pmo_notifications.handlers.signal_scope import (
    record_signal_project,
    routing_portfolio,
    signal_notifier,
)

ALREADY_RECOVERED_NOTE = "The project had already recovered when this at-risk signal arrived"
log = logging.getLogger(__name__)


async def on_project_at_risk(session: AsyncSession, event: Consumed[ProjectAtRisk]) -> None:
    """Open the project's at-risk alert, or raise (refresh) the active one, and tell its manager
    when it opened or got more severe."""
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
    if alert.severity == CRITICAL:  # only a critical alert climbs (ADR 0016)
        alert = await on_escalation_ladder(
            session, alert, portfolio_id=routing_portfolio(project, payload)
        )
    notify_manager = True
    if not await open_alert_unless_active(
        session, alert=alert, notifier=notifier, portfolio_id=project.portfolio_id
    ):
        existing = await _active_at_risk(session, payload.project_id)
        alert = await _told_again(
            session,
            existing,
            payload,
            project,
            notifier,
            severity=payload.severity,
            rag=payload.rag,
            reasons=reasons,
        )
        notify_manager = should_notify_again(existing.severity, payload.severity)
    email = partial(
        compose_at_risk_email,
        notice=replace(
            _health_notice(payload, reasons, project.currency),
            severity=payload.severity,
            sponsor=payload.sponsor,
            alert_id=alert.id,
        ),
    )
    await _deliver_signal(
        notifier,
        event,
        project,
        severity=payload.severity,
        alert_id=alert.id,
        email=email,
        to_manager=notify_manager,
    )


async def on_project_recovered(session: AsyncSession, event: Consumed[ProjectRecovered]) -> None:
    """Lower the project's at-risk alert to a warning (amber) or resolve it (green), and tell
    its manager the project has left red."""
    payload = event.payload
    signalled = await record_signal_project(session, payload, stamp=_stamp(event))
    if not signalled.newest:
        # Sent before an at-risk signal that has already applied: that alert is current.
        _log_stale(event)
        return
    project = signalled.project
    notifier = await signal_notifier(session, project, payload)
    reasons = _reason_lines(payload.reasons)
    alert = await _follow_colour(
        session, payload, project, notifier, rag=payload.rag, reasons=reasons
    )
    email = partial(
        compose_recovery_email,
        notice=replace(
            _health_notice(payload, reasons, project.currency),
            previous_rag=payload.previous_rag,
            sponsor=payload.sponsor,
        ),
    )
    await _deliver_signal(
        notifier,
        event,
        project,
        severity=routing_severity(event.type),
        alert_id=alert.id if alert else None,
        email=email,
    )


async def on_health_changed(session: AsyncSession, event: Consumed[HealthChanged]) -> None:
    """Record the change of colour (history, latest health), move the at-risk alert into or
    out of amber as the other two signals do not, and route the change to its subscribers.

    Nobody is e-mailed without a subscription: a warning is for the inbox and the digest.
    """
    payload = event.payload
    await record_health_change(session, change=_health_change(event))
    signalled = await _record_changed_project(session, event)
    current = await record_latest_health(
        session,
        project_id=payload.project_id,
        health=LatestHealth(
            rag=payload.rag,
            reasons=_reason_lines(payload.reasons),
            metrics=payload.metrics.model_dump(mode="json"),
            as_of=payload.as_of,
            health_version=payload.health_version,
        ),
    )
    project = signalled.project if signalled else None
    portfolio_id = project.portfolio_id if project and project.portfolio_id else None
    notifier = await Notifier.for_project(
        session,
        project_id=payload.project_id,
        portfolio_ids=[portfolio_id, payload.portfolio_id],
    )
    alert: AlertRecord | None = None
    if project is not None and signalled is not None and signalled.newest:
        # Red is at_risk's (it e-mails the manager); leaving red is recovered's, which this
        # change repeats harmlessly whichever of the two arrives first.
        if payload.rag != "red":
            alert = await _follow_colour(
                session,
                payload,
                project,
                notifier,
                rag=payload.rag,
                reasons=_reason_lines(payload.reasons),
            )
    elif signalled is not None:
        _log_stale(event)
    if not current:
        # A newer health is already known: subscribers are not told of this older one, but the
        # alert.* events the change caused above are still planned.
        await notifier.flush()
        return
    await notifier.deliver(
        event.envelope,
        portfolio_id=portfolio_id or payload.portfolio_id,
        severity=health_routing_severity(payload.rag),
        alert_id=alert.id if alert else None,
        email=partial(
            compose_health_change_email,
            notice=replace(
                _health_notice(
                    payload,
                    _reason_lines(payload.reasons),
                    project.currency if project else None,
                ),
                previous_rag=payload.previous_rag,
            ),
        ),
        to=[],
    )


async def _follow_colour(
    session: AsyncSession,
    signal: NamedProject,
    project: ProjectRecord,
    notifier: Notifier,
    *,
    rag: str,
    reasons: tuple[ReasonLine, ...],
) -> AlertRecord | None:
    """The at-risk alert after a newer signal of a colour other than red: opened as a warning
    (no ladder) or lowered to one at amber, resolved at green, unchanged when unknown."""
    active = await find_alert(
        session, project_id=project.id, deduplication_key=AT_RISK, active_only=True
    )
    step = at_risk_step(active.severity if active else None, rag)
    if step.resolve:
        resolved = await resolve_active_alerts(
            session, project, kind=AT_RISK, note=recovery_note(rag), notifier=notifier
        )
        return resolved[0] if resolved else None
    title = at_risk_title(signal.project_name, rag)
    if step.open and step.severity is not None:
        alert = new_alert(
            signal,
            kind=AT_RISK,
            deduplication_key=deduplication_key(AT_RISK),
            severity=step.severity,
            title=title,
            reasons=reasons,
            rag=rag,
        )
        if await open_alert_unless_active(
            session, alert=alert, notifier=notifier, portfolio_id=project.portfolio_id
        ):
            return alert
        active = await _active_at_risk(session, project.id)
    if active is None or step.severity is None:
        return active
    return await _told_again(
        session, active, signal, project, notifier, severity=step.severity, rag=rag, reasons=reasons
    )


async def _told_again(
    session: AsyncSession,
    active: AlertRecord,
    signal: NamedProject,
    project: ProjectRecord,
    notifier: Notifier,
    *,
    severity: str,
    rag: str,
    reasons: tuple[ReasonLine, ...],
) -> AlertRecord:
    """The active at-risk alert as a newer signal tells the project: its colour, reasons and
    the severity of that colour (raised or lowered in place)."""
    return await update_active_alert(
        session,
        active,
        notifier=notifier,
        portfolio_id=project.portfolio_id,
        project_name=signal.project_name,
        severity=severity,
        title=at_risk_title(signal.project_name, rag),
        reasons=reasons,
        rag=rag,
    )


async def _active_at_risk(session: AsyncSession, project_id: str) -> AlertRecord:
    existing = await find_alert(
        session, project_id=project_id, deduplication_key=AT_RISK, active_only=True
    )
    if existing is None:  # resolved between the two statements: the retry opens one
        raise RuntimeError(f"the active at-risk alert of {project_id} vanished")
    return existing


async def _record_changed_project(
    session: AsyncSession, event: Consumed[HealthChanged]
) -> SignalledProject | None:
    """The project of a health change, its signal stamp kept; None when it names nobody to
    lead it (an event older than those fields) and notifications never heard of the project."""
    payload = event.payload
    if payload.manager is not None:
        told = ProjectRecord(
            id=payload.project_id,
            name=payload.project_name,
            manager=payload.manager,
            sponsor=payload.sponsor,
            portfolio_id=payload.portfolio_id,
            status=ACTIVE,
            version=SIGNALLED_VERSION,
        )
    else:
        known = await get_project(session, project_id=payload.project_id)
        if known is None:
            return None
        told = known
    return await record_signalled_project(session, project=told, signal=_stamp(event))


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
    risk after being told it recovered. When an alert is active (the newest signal was an
    at-risk one, or an amber that left a warning), or the latest alert was resolved after this
    signal was sent (the same episode, opened at amber), this older one changes nothing.
    """
    _log_stale(event)
    latest = await find_alert(
        session, project_id=project.id, deduplication_key=AT_RISK, active_only=False
    )
    if (
        latest is not None
        and latest.resolved_at is not None
        and latest.resolved_at >= event.envelope.time
    ):
        # The project's alert was resolved after this signal was sent: it is the alert of this
        # very episode (opened at amber, resolved by the recovery that overtook this signal).
        # One alert per condition: the episode is on record already.
        return
    if await open_alert_unless_active(
        session, alert=alert, notifier=notifier, portfolio_id=project.portfolio_id
    ):
        await resolve_active_alerts(
            session, project, kind=AT_RISK, note=ALREADY_RECOVERED_NOTE, notifier=notifier
        )


def _log_stale(
    event: Consumed[ProjectAtRisk] | Consumed[ProjectRecovered] | Consumed[HealthChanged],
) -> None:
    log.info(
        "%s is older than the newest health signal of project %s",
        event.type,
        event.payload.project_id,
        extra={"event_id": event.id},
    )


def _stamp(
    event: Consumed[ProjectAtRisk] | Consumed[ProjectRecovered] | Consumed[HealthChanged],
) -> HealthSignalStamp:
    # The report date and health version monitoring judged, then the time it sent the signal.
    payload = event.payload
    return HealthSignalStamp(
        as_of=payload.as_of, version=payload.health_version, sent_at=event.envelope.time
    )


def _health_change(event: Consumed[HealthChanged]) -> HealthChange:
    payload = event.payload
    return HealthChange(
        project_id=payload.project_id,
        previous_rag=payload.previous_rag,
        rag=payload.rag,
        as_of=payload.as_of,
        health_version=payload.health_version,
        changed_at=event.envelope.time,
        reason_codes=tuple(reason.code for reason in payload.reasons),
    )


async def _deliver_signal(
    notifier: Notifier,
    event: Consumed[HealthSignal],
    project: ProjectRecord,
    *,
    severity: str,
    alert_id: str | None,
    email: EmailDraft,
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


def _health_notice(
    payload: ProjectAtRisk | ProjectRecovered | HealthChanged,
    reasons: tuple[ReasonLine, ...],
    currency: str | None,
) -> HealthNotice:
    """What every health e-mail tells: the colour as of the report judged, its reasons and
    figures; each signal adds its own details (severity, previous colour, sponsor, alert)."""
    return HealthNotice(
        project_name=payload.project_name,
        rag=payload.rag,
        as_of=payload.as_of,
        reasons=reasons,
        metrics=payload.metrics.model_dump(mode="json"),
        currency=currency,
    )


def _reason_lines(reasons: list[Reason]) -> tuple[ReasonLine, ...]:
    # Monitoring's reasons and the stored reason lines have the same fields.
    return tuple(ReasonLine(**reason.model_dump()) for reason in reasons)
