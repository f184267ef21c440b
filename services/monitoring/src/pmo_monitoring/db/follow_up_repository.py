"""The follow-ups monitoring has heard of: alerts and interventions by project (follow_ups)."""

from __future__ import annotations

from datetime import datetime

from pmo_common.db.rows import fetch_all, fetch_where, values_of
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db.tables import follow_ups
from pmo_monitoring.domain.follow_ups import FollowUp, FollowUpKind


async def _stored(session: AsyncSession, kind: FollowUpKind, item_id: str) -> FollowUp | None:
    row = (follow_ups.c.kind == kind) & (follow_ups.c.item_id == item_id)
    return await fetch_where(session, follow_ups, row, FollowUp, for_update=True)


async def record_opened(session: AsyncSession, *, follow_up: FollowUp) -> None:
    """Keep an opened follow-up, unless its id is known already (open, or closed first)."""
    if await _stored(session, follow_up.kind, follow_up.item_id) is None:
        await session.execute(insert(follow_ups).values(**values_of(follow_up)))


async def record_closed(session: AsyncSession, *, follow_up: FollowUp, closed_at: datetime) -> None:
    """Mark a follow-up closed; one never heard opened is kept closed, for its late opening."""
    stored = await _stored(session, follow_up.kind, follow_up.item_id)
    if stored is None:
        closed = values_of(follow_up, closed_at=closed_at)
        await session.execute(insert(follow_ups).values(**closed))
    elif stored.closed_at is None:
        await session.execute(
            update(follow_ups)
            .where(follow_ups.c.kind == follow_up.kind, follow_ups.c.item_id == follow_up.item_id)
            .values(closed_at=closed_at)
        )


async def open_follow_ups(session: AsyncSession, *, project_id: str) -> list[FollowUp]:
    """A project's open alerts and interventions, the first heard of first."""
    query = (
        select(follow_ups)
        .where(follow_ups.c.project_id == project_id, follow_ups.c.closed_at.is_(None))
        .order_by(follow_ups.c.recorded_at, follow_ups.c.item_id)
    )
    return await fetch_all(session, query, FollowUp)
