"""Reads and writes of recovery actions, and the claim that announces each overdue one once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from pmo_common.db.rows import fetch_all, fetch_one, values_of
from sqlalchemy import ColumnElement, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_standards.db.tables import intervention_actions, interventions
from pmo_standards.domain.interventions import ACTION_DONE, ACTION_OPEN, OPEN, RecoveryAction

_ACTION_COLUMNS = [c for c in intervention_actions.c if c.name != "overdue_notified_at"]


async def insert_action(session: AsyncSession, *, action: RecoveryAction) -> None:
    """Add an action to a case."""
    await session.execute(insert(intervention_actions).values(values_of(action)))


async def get_action(
    session: AsyncSession, *, intervention_id: str, action_id: str
) -> RecoveryAction | None:
    """One action of a case, or None."""
    query = select(*_ACTION_COLUMNS).where(
        intervention_actions.c.id == action_id,
        intervention_actions.c.intervention_id == intervention_id,
    )
    return await fetch_one(session, query, RecoveryAction)


async def intervention_of_action(session: AsyncSession, *, action_id: str) -> str | None:
    """The case an action belongs to, or None for an unknown action."""
    query = select(intervention_actions.c.intervention_id).where(
        intervention_actions.c.id == action_id
    )
    found: str | None = await session.scalar(query)
    return found


async def mark_action_done(session: AsyncSession, *, action_id: str, done_at: datetime) -> None:
    """Record that an action is finished."""
    await session.execute(
        update(intervention_actions)
        .where(intervention_actions.c.id == action_id)
        .values(status=ACTION_DONE, done_at=done_at)
    )


async def actions_of(
    session: AsyncSession, *, intervention_ids: Sequence[str]
) -> dict[str, list[RecoveryAction]]:
    """The actions of each case, oldest first."""
    if not intervention_ids:
        return {}
    query = (
        select(*_ACTION_COLUMNS)
        .where(intervention_actions.c.intervention_id.in_(intervention_ids))
        .order_by(intervention_actions.c.created_at, intervention_actions.c.id)
    )
    found: dict[str, list[RecoveryAction]] = {}
    for action in await fetch_all(session, query, RecoveryAction):
        found.setdefault(action.intervention_id, []).append(action)
    return found


def _unannounced_overdue(today: date) -> tuple[ColumnElement[bool], ...]:
    """Open actions of open cases past their due date whose overdue news is not yet out."""
    open_cases = select(interventions.c.id).where(interventions.c.status == OPEN)
    return (
        intervention_actions.c.status == ACTION_OPEN,
        intervention_actions.c.due_date < today,
        intervention_actions.c.overdue_notified_at.is_(None),
        intervention_actions.c.intervention_id.in_(open_cases.scalar_subquery()),
    )


async def overdue_action_ids(session: AsyncSession, *, today: date) -> list[str]:
    """Candidates for an overdue announcement, oldest due first (each still to be claimed)."""
    query = (
        select(intervention_actions.c.id)
        .where(*_unannounced_overdue(today))
        .order_by(intervention_actions.c.due_date, intervention_actions.c.id)
    )
    return list(await session.scalars(query))


async def claim_overdue_action(
    session: AsyncSession, *, action_id: str, today: date, now: datetime
) -> bool:
    """Mark an overdue action as announced; False if it is not due for an announcement.

    A compare-and-set: the UPDATE only matches while `overdue_notified_at` is NULL. A second
    replica claiming the same action at the same moment waits on the first one's row lock
    (PostgreSQL re-checks the condition once it is released) and matches nothing, so only the
    claimer writes the event, in the same transaction as the claim.
    """
    result = await session.execute(
        update(intervention_actions)
        .where(intervention_actions.c.id == action_id, *_unannounced_overdue(today))
        .values(overdue_notified_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1
