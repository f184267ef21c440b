"""Alert use cases: open and announce an alert, acknowledge it, resolve it."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime
from typing import Any

from pmo_common.events.payloads import AlertEvent
from pmo_common.problems import ProblemException, not_found
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db.alert_repository import (
    AlertRecord,
    active_alerts_of_project,
    get_alert,
    insert_alert,
    save_alert_state,
)
from pmo_notifications.db.project_repository import get_project
from pmo_notifications.db.timestamps import utc_now
from pmo_notifications.domain import alert_lifecycle
from pmo_notifications.domain.alert_lifecycle import OPEN, AlertState, AlertTransitionRefused
from pmo_notifications.domain.email_composition import compose_alert_change_email
from pmo_notifications.handlers.event_publishing import publish_event
from pmo_notifications.handlers.notification_routing import EventToRoute, route_event

_EVENT_FOR_STATUS = {
    "open": "alert.raised",
    "acknowledged": "alert.acknowledged",
    "resolved": "alert.resolved",
}


async def open_alert(
    session: AsyncSession,
    *,
    project_id: str,
    project_name: str,
    kind: str,
    deduplication_key: str,
    severity: str,
    title: str,
    reasons: list[dict[str, Any]],
    rag: str | None,
) -> AlertRecord:
    """Store a new open alert and announce it (alert.raised, routed to its subscribers)."""
    now = utc_now()
    alert = AlertRecord(
        id=str(uuid.uuid4()),
        project_id=project_id,
        project_name=project_name,
        kind=kind,
        deduplication_key=deduplication_key,
        severity=severity,
        status=OPEN,
        title=title,
        reasons=reasons,
        rag=rag,
        opened_at=now,
        acknowledged_at=None,
        acknowledged_by=None,
        resolved_at=None,
        resolved_by=None,
        resolution_note=None,
        last_event_at=now,
    )
    await insert_alert(session, alert=alert)
    await announce_alert(session, alert=alert, actor=None)
    return alert


async def announce_alert(session: AsyncSession, *, alert: AlertRecord, actor: str | None) -> None:
    """Publish the alert's current status as an alert.* event and route it to subscribers."""
    event_type = _EVENT_FOR_STATUS[alert.status]
    event = await publish_event(
        session,
        event_type,
        AlertEvent(
            alert_id=alert.id,
            project_id=alert.project_id,
            kind=alert.kind,
            severity=alert.severity,  # type: ignore[arg-type]  # stored values are validated
            status=alert.status,  # type: ignore[arg-type]
            title=alert.title,
            actor=actor,
        ),
        subject=alert.project_id,
    )
    project = await get_project(session, project_id=alert.project_id)
    await route_event(
        session,
        EventToRoute(
            event=event,
            project_id=alert.project_id,
            portfolio_id=project.portfolio_id if project else None,
            severity=alert.severity,
            alert_id=alert.id,
            subscriber_email=compose_alert_change_email(
                title=alert.title, status=alert.status, actor=actor, note=alert.resolution_note
            ),
        ),
    )


async def acknowledge_alert(
    session: AsyncSession, *, alert: AlertRecord, actor: str
) -> AlertRecord:
    """Acknowledge an alert (idempotent); 409 when it is already resolved."""
    try:
        transition = alert_lifecycle.acknowledge(alert.state, actor=actor, at=utc_now())
    except AlertTransitionRefused as exc:
        raise ProblemException(
            409, "Alert already resolved", f"Alert {alert.id}: {exc.reason}."
        ) from exc
    return await _apply(session, alert=alert, state=transition.state, changed=transition.changed)


async def resolve_alert(
    session: AsyncSession, *, alert: AlertRecord, actor: str, note: str | None
) -> AlertRecord:
    """Resolve an alert (idempotent: resolving a resolved alert changes nothing)."""
    transition = alert_lifecycle.resolve(alert.state, actor=actor, at=utc_now(), note=note)
    return await _apply(session, alert=alert, state=transition.state, changed=transition.changed)


async def resolve_active_alerts(
    session: AsyncSession, *, project_id: str, kind: str | None, note: str
) -> list[AlertRecord]:
    """Resolve, as the system, every active alert of a project (of one kind when given)."""
    resolved = []
    for alert in await active_alerts_of_project(session, project_id=project_id):
        if kind is None or alert.kind == kind:
            resolved.append(
                await resolve_alert(
                    session, alert=alert, actor=alert_lifecycle.SYSTEM_ACTOR, note=note
                )
            )
    return resolved


async def load_alert_for_change(session: AsyncSession, *, alert_id: str) -> AlertRecord:
    """The alert, locked for this transaction; 404 when there is none."""
    alert = await get_alert(session, alert_id=alert_id, for_update=True)
    if alert is None:
        raise not_found("alert", alert_id)
    return alert


async def _apply(
    session: AsyncSession, *, alert: AlertRecord, state: AlertState, changed: bool
) -> AlertRecord:
    if not changed:
        return alert
    at: datetime = utc_now()
    await save_alert_state(session, alert_id=alert.id, state=state, last_event_at=at)
    updated = replace(
        alert,
        status=state.status,
        acknowledged_at=state.acknowledged_at,
        acknowledged_by=state.acknowledged_by,
        resolved_at=state.resolved_at,
        resolved_by=state.resolved_by,
        resolution_note=state.resolution_note,
        last_event_at=at,
    )
    actor = state.resolved_by if state.status == alert_lifecycle.RESOLVED else state.acknowledged_by
    await announce_alert(session, alert=updated, actor=actor)
    return updated
