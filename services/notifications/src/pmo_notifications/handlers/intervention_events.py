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

from pmo_notifications.db.intervention_owner_repository import (
    get_intervention_owner,
    save_intervention_owner,
)
from pmo_notifications.domain.alert_rules import (
    ACTION_OVERDUE,
    action_overdue_key,
    action_overdue_title,
)
from pmo_notifications.domain.email_composition import compose_action_overdue_email
from pmo_notifications.domain.intervention_owners import InterventionFact, owner_after
from pmo_notifications.handlers.overdue_alerts import alert_once_overdue


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
    unit = "day" if payload.days_overdue == 1 else "days"
    await alert_once_overdue(
        session,
        event,
        kind=ACTION_OVERDUE,
        key=action_overdue_key(payload.action_id),
        title=action_overdue_title(payload.project_name, payload.title, payload.days_overdue),
        reason=(
            f"Recovery action {payload.title!r} (owner {payload.action_owner}) was due on "
            f"{payload.due_date.isoformat()} and is {payload.days_overdue} {unit} overdue."
        ),
        reminder=compose_action_overdue_email(payload),
        remind=payload.action_owner,
    )
