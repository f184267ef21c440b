"""Standards' interventions: who owns each project's case, and recovery actions that slip."""

from __future__ import annotations

from datetime import datetime

from pmo_common.events.payloads import (
    ActionOverdue,
    InterventionAssigned,
    InterventionClosed,
    InterventionEvent,
    InterventionOpened,
)
from pmo_common.messaging.consumed_events import Consumed
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db.alert_repository import find_alert
from pmo_notifications.db.intervention_owner_repository import (
    get_intervention_owner,
    save_intervention_owner,
)
from pmo_notifications.db.projection_repository import record_signalled_project
from pmo_notifications.domain.alert_rules import (
    ACTION_OVERDUE,
    action_overdue_key,
    action_overdue_title,
)
from pmo_notifications.domain.email_composition import (
    ActionOverdueNotice,
    ReasonLine,
    compose_action_overdue_email,
)
from pmo_notifications.domain.intervention_owners import InterventionFact, owner_after
from pmo_notifications.handlers.alert_commands import new_alert, open_alert_unless_active
from pmo_notifications.handlers.notification_routing import Notifier
from pmo_notifications.handlers.project_facts import project_told_by

ACTION_OVERDUE_SEVERITY = "warning"


async def on_intervention_opened(
    session: AsyncSession, event: Consumed[InterventionOpened]
) -> None:
    """Remember the project's new case (and its owner, if it has one already)."""
    await _record_fact(session, event.payload, at=event.payload.opened_at)


async def on_intervention_assigned(
    session: AsyncSession, event: Consumed[InterventionAssigned]
) -> None:
    """Remember who now owns the project's case."""
    await _record_fact(session, event.payload, at=event.payload.assigned_at)


async def on_intervention_closed(
    session: AsyncSession, event: Consumed[InterventionClosed]
) -> None:
    """Forget the owner: a closed case's consultant is no longer escalated to."""
    await _record_fact(session, event.payload, at=event.payload.closed_at, closed=True)


async def _record_fact(
    session: AsyncSession, payload: InterventionEvent, *, at: datetime, closed: bool = False
) -> None:
    fact = InterventionFact(
        payload.project_id, payload.intervention_id, payload.owner, closed=closed, at=at
    )
    current = await get_intervention_owner(session, project_id=payload.project_id, for_update=True)
    changed = owner_after(current, fact)
    if changed is not None:
        await save_intervention_owner(session, record=changed, exists=current is not None)


async def on_action_overdue(session: AsyncSession, event: Consumed[ActionOverdue]) -> None:
    """Open one alert per overdue recovery action and remind the action's owner."""
    payload = event.payload
    project = (await record_signalled_project(session, project=project_told_by(payload))).project
    key = action_overdue_key(payload.action_id)
    known = await find_alert(
        session, project_id=payload.project_id, deduplication_key=key, active_only=False
    )
    if known is not None:
        return  # this action was already signalled: one alert, one reminder
    unit = "day" if payload.days_overdue == 1 else "days"
    reason = ReasonLine(
        code="action_overdue",
        message=(
            f"Recovery action {payload.title!r} (owner {payload.action_owner}) was due on "
            f"{payload.due_date.isoformat()} and is {payload.days_overdue} {unit} overdue."
        ),
        metric="days_overdue",
        value=payload.days_overdue,
        threshold=0,
    )
    alert = new_alert(
        payload,
        kind=ACTION_OVERDUE,
        deduplication_key=key,
        severity=ACTION_OVERDUE_SEVERITY,
        title=action_overdue_title(payload.project_name, payload.title, payload.days_overdue),
        reasons=(reason,),
        rag=None,
    )
    portfolio_id = (
        project.portfolio_id if project.portfolio_id is not None else payload.portfolio_id
    )
    notifier = await Notifier.for_project(
        session, project_id=payload.project_id, portfolio_ids=[project.portfolio_id, portfolio_id]
    )
    if not await open_alert_unless_active(
        session, alert=alert, notifier=notifier, portfolio_id=project.portfolio_id
    ):
        return  # another replica opened this action's alert at the same moment
    email = compose_action_overdue_email(
        ActionOverdueNotice(
            project_name=payload.project_name,
            action_title=payload.title,
            due_date=payload.due_date,
            days_overdue=payload.days_overdue,
            manager=payload.manager,
            intervention_owner=payload.owner,
        )
    )
    await notifier.deliver(
        event.envelope,
        portfolio_id=portfolio_id,
        severity=ACTION_OVERDUE_SEVERITY,
        alert_id=alert.id,
        email=email,
        to=[payload.action_owner],
    )
