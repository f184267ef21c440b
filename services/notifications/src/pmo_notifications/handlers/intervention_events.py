"""Standards' interventions: who owns each project's case, and recovery actions that slip."""

from __future__ import annotations

from datetime import datetime
from functools import partial

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
from pmo_notifications.db.projection_repository import get_project
from pmo_notifications.domain.alert_emails import compose_action_overdue_email
from pmo_notifications.domain.alert_rules import (
    ACTION_OVERDUE,
    action_overdue_key,
    action_overdue_title,
)
from pmo_notifications.domain.intervention_owners import InterventionFact, owner_after
from pmo_notifications.domain.overdue_reasons import action_overdue_reason
from pmo_notifications.handlers.alert_commands import resolve_active_alerts
from pmo_notifications.handlers.digest_events import remember_action
from pmo_notifications.handlers.notification_routing import Notifier
from pmo_notifications.handlers.overdue_alerts import alert_once_overdue
from pmo_notifications.handlers.wordings import message_languages

CLOSED_NOTE = "The intervention was closed"


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
    """Forget the owner (a closed case's consultant is no longer escalated to) and resolve the
    project's overdue-action alerts: the case's recovery actions are nobody's to do any more."""
    payload = event.payload
    if not await _record_fact(session, payload, at=payload.closed_at, closed=True):
        return  # an older case's close, or this one's again: the current case's alerts stay
    project = await get_project(session, project_id=payload.project_id)
    if project is None:
        return  # never signalled here, so no alert of it is open
    notifier = await Notifier.for_project(
        session, project_id=project.id, portfolio_ids=[project.portfolio_id]
    )
    await resolve_active_alerts(
        session, project, kind=ACTION_OVERDUE, note=CLOSED_NOTE, notifier=notifier
    )
    await notifier.flush()


async def _record_fact(
    session: AsyncSession, payload: InterventionEvent, *, at: datetime, closed: bool = False
) -> bool:
    # Whether the fact changed what is known of the project's case.
    fact = InterventionFact(
        payload.project_id, payload.intervention_id, payload.owner, closed=closed, at=at
    )
    current = await get_intervention_owner(session, project_id=payload.project_id, for_update=True)
    changed = owner_after(current, fact)
    if changed is None:
        return False
    await save_intervention_owner(session, record=changed, exists=current is not None)
    return True


async def on_action_overdue(session: AsyncSession, event: Consumed[ActionOverdue]) -> None:
    """Open one alert per overdue recovery action and remind the action's owner; the daily
    digest lists the action (also when its intervention.action_added never reached us)."""
    payload = event.payload
    await remember_action(session, payload)
    await alert_once_overdue(
        session,
        event,
        kind=ACTION_OVERDUE,
        key=action_overdue_key(payload.action_id),
        title=action_overdue_title(payload.project_name, payload.title, payload.days_overdue),
        reason=message_languages(session).in_every_language(
            lambda wording: action_overdue_reason(
                wording,
                title=payload.title,
                owner=payload.action_owner,
                due_date=payload.due_date,
                days_overdue=payload.days_overdue,
            )
        ),
        reminder=partial(compose_action_overdue_email, action=payload),
        remind=payload.action_owner,
    )
