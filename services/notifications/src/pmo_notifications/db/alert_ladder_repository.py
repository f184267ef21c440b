"""The escalation ladder's reads and writes of alerts: which are due, and one step at a time."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db.tables import alerts
from pmo_notifications.domain.alert_lifecycle import OPEN
from pmo_notifications.domain.clock import in_utc
from pmo_notifications.domain.escalation_ladder import LadderPosition


async def alerts_due_to_escalate(session: AsyncSession, *, now: datetime, limit: int) -> list[str]:
    """The ids of open alerts whose next escalation step is due at `now`, longest due first."""
    query = (
        select(alerts.c.id)
        .where(alerts.c.status == OPEN, alerts.c.next_escalation_at <= in_utc(now))
        .order_by(alerts.c.next_escalation_at, alerts.c.id)
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def move_on_ladder(
    session: AsyncSession, *, alert_id: str, seen: LadderPosition, to: LadderPosition
) -> bool:
    """Move an open alert from the position `seen` to `to`; False when it is no longer there.

    A compare-and-set: the update applies only to the open alert still at `seen`, so of several
    replicas taking the same step at once exactly one moves it (on PostgreSQL the others wait
    for its commit, then find the row changed), and an acknowledgement in between wins.
    """
    if seen.next_escalation_at is None:
        return False
    moved = await session.execute(
        update(alerts)
        .where(
            alerts.c.id == alert_id,
            alerts.c.status == OPEN,
            alerts.c.escalation_level == seen.level,
            alerts.c.escalation_repeats == seen.repeats_done,
            alerts.c.next_escalation_at == _stored(seen.next_escalation_at),
        )
        .values(
            escalation_level=to.level,
            escalation_repeats=to.repeats_done,
            next_escalation_at=_stored(to.next_escalation_at),
        )
    )
    return cast(CursorResult[Any], moved).rowcount == 1


def _stored(instant: datetime | None) -> datetime | None:
    # Stored and compared in UTC (SQLite keeps the wall-clock text and drops the offset).
    return None if instant is None else in_utc(instant)
