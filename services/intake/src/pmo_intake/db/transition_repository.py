"""The history of requests: every step, in the order taken."""

from __future__ import annotations

from pmo_common.db.rows import fetch_all, values_of
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db.tables import request_transitions
from pmo_intake.domain.demand_records import RequestTransition


async def record_transition(session: AsyncSession, *, transition: RequestTransition) -> None:
    """Append a step to its request's history."""
    await session.execute(insert(request_transitions).values(**values_of(transition)))


async def history_of(session: AsyncSession, *, request_id: str) -> list[RequestTransition]:
    """A request's steps, oldest first."""
    query = (
        select(request_transitions)
        .where(request_transitions.c.request_id == request_id)
        .order_by(request_transitions.c.id)
    )
    return await fetch_all(session, query, RequestTransition)
