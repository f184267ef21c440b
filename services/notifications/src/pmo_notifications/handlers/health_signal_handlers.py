"""Handlers of monitoring's signals: project.at_risk, project.recovered, project.report_overdue."""

from __future__ import annotations

from pmo_common.events.envelope import CloudEvent
from pmo_common.events.payloads import ProjectAtRisk, ProjectRecovered, Reason, ReportOverdue
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db.alert_repository import find_alert, refresh_alert_signal
from pmo_notifications.db.project_repository import get_project, remember_project_if_unknown
from pmo_notifications.db.timestamps import utc_now
from pmo_notifications.domain.alert_rules import (
    AT_RISK,
    REPORT_OVERDUE,
    at_risk_title,
    deduplication_key,
    recovery_note,
    report_overdue_title,
    should_notify_again,
)
from pmo_notifications.domain.email_composition import (
    HealthNotice,
    ReasonLine,
    compose_at_risk_email,
    compose_overdue_email,
    compose_recovery_email,
)
from pmo_notifications.domain.subscription_matching import routing_severity
from pmo_notifications.handlers.alert_commands import open_alert, resolve_active_alerts
from pmo_notifications.handlers.notification_routing import DirectEmail, EventToRoute, route_event

OVERDUE_SEVERITY = "warning"


async def on_project_at_risk(session: AsyncSession, event: CloudEvent) -> None:
    """Open the project's at-risk alert (or refresh the one already open) and tell its manager."""
    payload = ProjectAtRisk.model_validate(event.data)
    portfolio_id = await _known_portfolio(session, payload)
    reasons = [reason.model_dump(mode="json") for reason in payload.reasons]
    title = at_risk_title(payload.project_name, payload.rag)
    key = deduplication_key(AT_RISK)
    existing = await find_alert(
        session, project_id=payload.project_id, deduplication_key=key, active_only=True
    )
    if existing is not None:
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
    else:
        alert = await open_alert(
            session,
            project_id=payload.project_id,
            project_name=payload.project_name,
            kind=AT_RISK,
            deduplication_key=key,
            severity=payload.severity,
            title=title,
            reasons=reasons,
            rag=payload.rag,
        )
        alert_id, notify_manager = alert.id, True
    email = compose_at_risk_email(
        HealthNotice(
            project_name=payload.project_name,
            rag=payload.rag,
            as_of=payload.as_of,
            reasons=_reason_lines(payload.reasons),
            metrics=payload.metrics.model_dump(mode="json"),
            severity=payload.severity,
            sponsor=payload.sponsor,
            alert_id=alert_id,
        )
    )
    await route_event(
        session,
        EventToRoute(
            event=event,
            project_id=payload.project_id,
            portfolio_id=portfolio_id,
            severity=payload.severity,
            alert_id=alert_id,
            subscriber_email=email,
        ),
        direct=[DirectEmail(payload.manager, email)] if notify_manager else [],
    )


async def on_project_recovered(session: AsyncSession, event: CloudEvent) -> None:
    """Resolve the project's at-risk alert and tell its manager the project has recovered."""
    payload = ProjectRecovered.model_validate(event.data)
    portfolio_id = await _known_portfolio(session, payload)
    resolved = await resolve_active_alerts(
        session, project_id=payload.project_id, kind=AT_RISK, note=recovery_note(payload.rag)
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
    await route_event(
        session,
        EventToRoute(
            event=event,
            project_id=payload.project_id,
            portfolio_id=portfolio_id,
            severity=routing_severity(event.type),
            alert_id=resolved[0].id if resolved else None,
            subscriber_email=email,
        ),
        direct=[DirectEmail(payload.manager, email)],
    )


async def on_report_overdue(session: AsyncSession, event: CloudEvent) -> None:
    """Open one alert per project and missed period, and remind the manager to report."""
    payload = ReportOverdue.model_validate(event.data)
    portfolio_id = await _known_portfolio(session, payload)
    key = deduplication_key(REPORT_OVERDUE, payload.period)
    known = await find_alert(
        session, project_id=payload.project_id, deduplication_key=key, active_only=False
    )
    if known is not None:
        return  # this period was already signalled: one alert, one reminder
    since = (
        f"No status report since {payload.last_report_at.isoformat()}"
        if payload.last_report_at
        else "No status report has been filed yet"
    )
    reason = Reason(
        code="report_overdue",
        message=(
            f"{since}; the one due on {payload.due_date.isoformat()} is "
            f"{payload.days_overdue} days overdue."
        ),
        metric="days_overdue",
        value=payload.days_overdue,
        threshold=0,
    )
    alert = await open_alert(
        session,
        project_id=payload.project_id,
        project_name=payload.project_name,
        kind=REPORT_OVERDUE,
        deduplication_key=key,
        severity=OVERDUE_SEVERITY,
        title=report_overdue_title(payload.project_name, payload.days_overdue),
        reasons=[reason.model_dump(mode="json")],
        rag=None,
    )
    email = compose_overdue_email(
        project_name=payload.project_name,
        last_report_at=payload.last_report_at,
        due_date=payload.due_date,
        days_overdue=payload.days_overdue,
    )
    await route_event(
        session,
        EventToRoute(
            event=event,
            project_id=payload.project_id,
            portfolio_id=portfolio_id,
            severity=OVERDUE_SEVERITY,
            alert_id=alert.id,
            subscriber_email=email,
        ),
        direct=[DirectEmail(payload.manager, email)],
    )


async def _known_portfolio(
    session: AsyncSession, payload: ProjectAtRisk | ProjectRecovered | ReportOverdue
) -> str | None:
    # Intake's registry is the authority on ownership; the signal's own fields fill the gap
    # until intake's project.created arrives.
    await remember_project_if_unknown(
        session,
        project_id=payload.project_id,
        name=payload.project_name,
        manager=payload.manager,
        sponsor=payload.sponsor,
        portfolio_id=payload.portfolio_id,
    )
    project = await get_project(session, project_id=payload.project_id)
    if project is not None and project.portfolio_id is not None:
        return project.portfolio_id
    return payload.portfolio_id


def _reason_lines(reasons: list[Reason]) -> list[ReasonLine]:
    return [
        ReasonLine(
            code=reason.code,
            message=reason.message,
            metric=reason.metric,
            value=reason.value,
            threshold=reason.threshold,
        )
        for reason in reasons
    ]
