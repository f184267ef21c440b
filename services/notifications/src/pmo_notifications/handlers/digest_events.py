"""What the digests keep of other services' events: intake's portfolios and their managers (the
weekly digest's readers), and standards' recovery actions (the daily digest's "actions due")."""

from __future__ import annotations

from pmo_common.events.payloads import ActionAdded, ActionDone, ActionOverdue, PortfolioEvent
from pmo_common.messaging.consumed_events import Consumed
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db.digest_repository import (
    ActionFacts,
    mark_action_done,
    save_action,
    save_portfolio,
)
from pmo_notifications.domain.clock import utc_now
from pmo_notifications.handlers.overdue_alerts import settle_done_action


async def on_portfolio_created(session: AsyncSession, event: Consumed[PortfolioEvent]) -> None:
    """Remember the portfolio and who manages it."""
    payload = event.payload
    await save_portfolio(
        session,
        portfolio_id=payload.portfolio_id,
        name=payload.name,
        owner=payload.owner,
        at=utc_now(),
    )


async def on_action_added(session: AsyncSession, event: Consumed[ActionAdded]) -> None:
    """Remember a recovery action agreed on a project's intervention."""
    await remember_action(session, event.payload)


async def on_action_done(session: AsyncSession, event: Consumed[ActionDone]) -> None:
    """Remember that a recovery action was done: no digest lists it any more, and it leaves the
    project's overdue-action alert (resolved when no overdue action remains)."""
    payload = event.payload
    await settle_done_action(session, payload)
    await mark_action_done(
        session,
        action_id=payload.action_id,
        project_id=payload.project_id,
        intervention_id=payload.intervention_id,
        done_at=payload.done_at,
        at=utc_now(),
    )


async def remember_action(session: AsyncSession, payload: ActionAdded | ActionOverdue) -> None:
    """Remember an open recovery action (an overdue one too: it may predate action_added)."""
    facts = ActionFacts(
        action_id=payload.action_id,
        project_id=payload.project_id,
        intervention_id=payload.intervention_id,
        title=payload.title,
        owner=payload.action_owner,
        due_date=payload.due_date,
    )
    await save_action(session, action=facts, at=utc_now())
