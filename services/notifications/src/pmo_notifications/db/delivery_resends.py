"""The delivery log's reads for a bulk re-send: messages given up within a time range."""

from __future__ import annotations

from pmo_common.db.rows import fetch_all, matching
from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db.tables import deliveries
from pmo_notifications.domain.bulk_resend import ResendSelection
from pmo_notifications.domain.clock import in_utc
from pmo_notifications.domain.delivery_schedule import DeliveryRecord


async def lock_latest_attempts(
    session: AsyncSession, *, selection: ResendSelection, limit: int
) -> list[DeliveryRecord]:
    """Up to `limit` selected messages' latest attempts, oldest planned first, each row locked
    until the transaction ends (PostgreSQL; one held by a concurrent re-send is skipped)."""
    later = deliveries.alias("later")
    followed = select(later.c.id).where(
        later.c.message_id == deliveries.c.message_id, later.c.attempt > deliveries.c.attempt
    )
    query = (
        matching(
            select(deliveries),
            (deliveries.c.subscription_id, selection.subscription_id),
            (deliveries.c.channel, selection.channel),
        )
        .where(
            deliveries.c.status == selection.status,
            deliveries.c.planned_at >= in_utc(selection.created_from),
            deliveries.c.planned_at < in_utc(selection.created_to),
            ~exists(followed),
        )
        .order_by(deliveries.c.planned_at, deliveries.c.message_id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return await fetch_all(session, query, DeliveryRecord)


async def latest_attempt_numbers(
    session: AsyncSession, *, message_ids: list[str]
) -> dict[str, int]:
    """The number of each message's latest attempt, read afresh (a re-send committed since the
    rows were selected shows here)."""
    if not message_ids:
        return {}
    rows = await session.execute(
        select(deliveries.c.message_id, func.max(deliveries.c.attempt).label("latest"))
        .where(deliveries.c.message_id.in_(message_ids))
        .group_by(deliveries.c.message_id)
    )
    return {row.message_id: int(row.latest) for row in rows}
