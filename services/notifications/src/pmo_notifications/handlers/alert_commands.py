"""Alert use cases: open and announce an alert, acknowledge it, resolve it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import partial
from typing import Protocol

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.events.catalog import ALERT_ACKNOWLEDGED, ALERT_RAISED, ALERT_RESOLVED, EventSpec
from pmo_common.events.payloads import AlertEvent
from pmo_common.problems import ProblemException
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db.alert_repository import (
    active_alerts_of_project,
    get_alert,
    insert_alert_unless_active,
    save_alert_state,
)
from pmo_notifications.db.outbox import outbox
from pmo_notifications.db.projection_repository import get_project
from pmo_notifications.domain import alert_lifecycle
from pmo_notifications.domain.alert_emails import compose_alert_change_email
from pmo_notifications.domain.alert_lifecycle import (
    OPEN,
    AlertRecord,
    AlertTransitionRefused,
    Transition,
)
from pmo_notifications.domain.clock import utc_now
from pmo_notifications.domain.project_projection import ProjectRecord
from pmo_notifications.domain.reason_line import ReasonLine
from pmo_notifications.handlers.audit_records import record_change
from pmo_notifications.handlers.notification_routing import EventToRoute, Notifier
from pmo_notifications.handlers.problems import found

# The caller's precondition (If-Match) on the alert as it is now, read locked.
AlertCheck = Callable[[AlertRecord], None]

_EVENT_FOR_STATUS: dict[str, EventSpec[AlertEvent]] = {
    "open": ALERT_RAISED,
    "acknowledged": ALERT_ACKNOWLEDGED,
    "resolved": ALERT_RESOLVED,
}


class NamedProject(Protocol):
    """What an alert-opening signal says of its project (every monitoring and standards event)."""

    @property
    def project_id(self) -> str: ...

    @property
    def project_name(self) -> str: ...


def new_alert(
    signal: NamedProject,
    *,
    kind: str,
    deduplication_key: str,
    severity: str,
    title: str,
    reasons: tuple[ReasonLine, ...],
    rag: str | None,
) -> AlertRecord:
    """A fresh open alert about the signalled project, not stored yet."""
    now = utc_now()
    return AlertRecord(
        id=str(uuid.uuid4()),
        project_id=signal.project_id,
        project_name=signal.project_name,
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


async def open_alert_unless_active(
    session: AsyncSession, *, alert: AlertRecord, notifier: Notifier, portfolio_id: str | None
) -> bool:
    """Store a new open alert and announce it (alert.raised), unless one is already active."""
    if not await insert_alert_unless_active(session, alert=alert):
        return False
    await announce_alert(session, alert=alert, notifier=notifier, portfolio_id=portfolio_id)
    return True


async def announce_alert(
    session: AsyncSession, *, alert: AlertRecord, notifier: Notifier, portfolio_id: str | None
) -> None:
    """Write the alert's current status as an alert.* event and plan it for its subscribers."""
    event = await outbox.enqueue(
        session, _EVENT_FOR_STATUS[alert.status], alert_event(alert), subject=alert.project_id
    )
    notifier.route(
        EventToRoute(
            event=event,
            portfolio_id=portfolio_id,
            severity=alert.severity,
            alert_id=alert.id,
            subscriber_email=partial(
                compose_alert_change_email,
                title=alert.title,
                status=alert.status,
                actor=alert.actor,
                note=alert.resolution_note,
            ),
        )
    )


def alert_event(alert: AlertRecord) -> AlertEvent:
    """What every alert.* event says of the alert."""
    return AlertEvent(
        alert_id=alert.id,
        project_id=alert.project_id,
        kind=alert.kind,
        severity=alert.severity,
        status=alert.status,
        title=alert.title,
        actor=alert.actor,
    )


async def acknowledge_alert(
    session: AsyncSession, *, alert_id: str, actor: str, check: AlertCheck
) -> AlertRecord:
    """Acknowledge an alert (idempotent); 409 when it is already resolved."""
    async with unit_of_work(session):
        alert = await _alert_for_change(session, alert_id=alert_id, check=check)
        try:
            transition = alert_lifecycle.acknowledge(alert.state, actor=actor, at=utc_now())
        except AlertTransitionRefused as exc:
            raise ProblemException(
                409, "Alert already resolved", f"Alert {alert.id}: {exc.reason}."
            ) from exc
        return await _change_one(session, alert=alert, transition=transition, verb="acknowledged")


async def resolve_alert(
    session: AsyncSession, *, alert_id: str, actor: str, note: str | None, check: AlertCheck
) -> AlertRecord:
    """Resolve an alert (idempotent: resolving a resolved alert changes nothing)."""
    async with unit_of_work(session):
        alert = await _alert_for_change(session, alert_id=alert_id, check=check)
        transition = alert_lifecycle.resolve(alert.state, actor=actor, at=utc_now(), note=note)
        return await _change_one(session, alert=alert, transition=transition, verb="resolved")


async def resolve_active_alerts(
    session: AsyncSession,
    project: ProjectRecord,
    *,
    kind: str | None,
    note: str,
    notifier: Notifier,
) -> list[AlertRecord]:
    """Resolve, as the system, every active alert of a project (of one kind when given),
    announcing each in the project's portfolio."""
    resolved = []
    for alert in await active_alerts_of_project(session, project_id=project.id):
        if kind is None or alert.kind == kind:
            transition = alert_lifecycle.resolve(
                alert.state, actor=alert_lifecycle.SYSTEM_ACTOR, at=utc_now(), note=note
            )
            resolved.append(
                await _apply(
                    session,
                    alert=alert,
                    transition=transition,
                    notifier=notifier,
                    portfolio_id=project.portfolio_id,
                )
            )
    return resolved


async def _alert_for_change(
    session: AsyncSession, *, alert_id: str, check: AlertCheck
) -> AlertRecord:
    # Locked for the transaction, so two people changing one alert take turns: the second one
    # checks its If-Match against the first one's change.
    alert = found(await get_alert(session, alert_id=alert_id, for_update=True), "alert", alert_id)
    check(alert)
    return alert


async def _change_one(
    session: AsyncSession, *, alert: AlertRecord, transition: Transition, verb: str
) -> AlertRecord:
    """Apply a person's change to one alert, announce it, and record it in the audit trail."""
    if not transition.changed:
        return alert
    project = await get_project(session, project_id=alert.project_id)
    portfolio_id = project.portfolio_id if project else None
    notifier = await Notifier.for_project(
        session, project_id=alert.project_id, portfolio_ids=[portfolio_id]
    )
    updated = await _apply(
        session, alert=alert, transition=transition, notifier=notifier, portfolio_id=portfolio_id
    )
    await record_change(session, verb, before=alert, after=updated)
    await notifier.flush()
    return updated


async def _apply(
    session: AsyncSession,
    *,
    alert: AlertRecord,
    transition: Transition,
    notifier: Notifier,
    portfolio_id: str | None,
) -> AlertRecord:
    if not transition.changed:
        return alert
    at = utc_now()
    await save_alert_state(session, alert_id=alert.id, state=transition.state, last_event_at=at)
    updated = alert.with_state(transition.state, at=at)
    await announce_alert(session, alert=updated, notifier=notifier, portfolio_id=portfolio_id)
    return updated
