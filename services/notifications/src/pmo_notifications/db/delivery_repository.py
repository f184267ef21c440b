"""The delivery log: one row per attempt, claimed by one replica at a time under a lease."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime

from pmo_common.db.rows import (
    fetch_all,
    fetch_by_id,
    fetch_page,
    matching,
    record_from,
    values_of,
)
from pmo_common.web.pagination import PageRequest
from sqlalchemy import insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db.projection_repository import projects_led_by
from pmo_notifications.db.subscription_repository import owned_subscription_ids
from pmo_notifications.db.tables import deliveries
from pmo_notifications.domain.delivery_schedule import PENDING, DeliveryRecord, PlannedDelivery


async def insert_planned_deliveries(
    session: AsyncSession, *, planned: list[PlannedDelivery], message_ids: list[str], at: datetime
) -> None:
    """Record the first attempt of each planned delivery."""
    if not planned:
        return
    await session.execute(
        insert(deliveries),
        [
            values_of(
                plan,
                id=str(uuid.uuid4()),
                message_id=message_id,
                attempt=1,
                http_status=None,
                created_at=at,
                next_attempt_at=at,
                completed_at=None if plan.status == PENDING else at,
            )
            for plan, message_id in zip(planned, message_ids, strict=True)
        ],
    )


async def claim_due_deliveries(
    session: AsyncSession, *, now: datetime, lease_until: datetime, token: str, limit: int
) -> list[DeliveryRecord]:
    """Claim up to `limit` due attempts for this replica until `lease_until`.

    SKIP LOCKED lets replicas claim side by side without ever taking the same row (PostgreSQL);
    a lease that runs out (a replica crashed mid-send) makes the row claimable again.
    """
    due = (
        select(deliveries.c.id)
        .where(
            deliveries.c.status == PENDING,
            deliveries.c.next_attempt_at <= now,
            or_(deliveries.c.claimed_until.is_(None), deliveries.c.claimed_until < now),
        )
        .order_by(deliveries.c.next_attempt_at, deliveries.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = await session.execute(
        update(deliveries)
        .where(deliveries.c.id.in_(due))
        .values(claim_token=token, claimed_until=lease_until, attempted_at=now)
        .returning(*deliveries.c)
    )
    claimed = (record_from(DeliveryRecord, row) for row in rows.mappings())
    return sorted(claimed, key=lambda record: record.next_attempt_at)


async def finish_attempt(
    session: AsyncSession,
    *,
    delivery_id: str,
    token: str,
    status: str,
    http_status: int | None,
    error: str | None,
    at: datetime,
) -> DeliveryRecord | None:
    """Record an attempt's outcome; None when this replica's claim was lost meanwhile."""
    rows = await session.execute(
        update(deliveries)
        .where(
            deliveries.c.id == delivery_id,
            deliveries.c.claim_token == token,
            deliveries.c.status == PENDING,
        )
        .values(
            status=status,
            http_status=http_status,
            error=error,
            completed_at=at,
            claimed_until=None,
        )
        .returning(*deliveries.c)
    )
    row = rows.mappings().first()
    return None if row is None else record_from(DeliveryRecord, row)


async def insert_next_attempt(
    session: AsyncSession, *, previous: DeliveryRecord, next_attempt_at: datetime, at: datetime
) -> str:
    """Record the attempt that follows a failed one (same message id); returns its id."""
    delivery_id = str(uuid.uuid4())
    following = replace(
        previous,
        id=delivery_id,
        attempt=previous.attempt + 1,
        status=PENDING,
        http_status=None,
        error=None,
        created_at=at,
        next_attempt_at=next_attempt_at,
        attempted_at=None,
        completed_at=None,
    )
    await session.execute(insert(deliveries).values(**values_of(following)))
    return delivery_id


async def list_deliveries(
    session: AsyncSession,
    *,
    viewer: tuple[str, str | None] | None,
    alert_id: str | None,
    project_id: str | None,
    status: str | None,
    channel: str | None,
    page: PageRequest,
) -> list[DeliveryRecord]:
    """A page of attempts, newest first.

    `viewer` (subject, e-mail) limits the page to projects they lead and subscriptions they own;
    None shows everything.
    """
    query = matching(
        select(deliveries),
        (deliveries.c.alert_id, alert_id),
        (deliveries.c.project_id, project_id),
        (deliveries.c.status, status),
        (deliveries.c.channel, channel),
    )
    if viewer is not None:
        subject, email = viewer
        query = query.where(
            or_(
                deliveries.c.project_id.in_(projects_led_by(email)),
                deliveries.c.subscription_id.in_(owned_subscription_ids(subject)),
            )
        )
    query = query.order_by(
        deliveries.c.created_at.desc(), deliveries.c.attempt.desc(), deliveries.c.id
    )
    return await fetch_page(session, query, DeliveryRecord, page)


async def release_claims(
    session: AsyncSession, *, delivery_ids: list[str], token: str, until: datetime
) -> None:
    """Hand back claimed attempts this replica will not send now (their receiver is busy):
    nobody claims them before `until`, and they are not marked attempted."""
    if not delivery_ids:
        return
    await session.execute(
        update(deliveries)
        .where(deliveries.c.id.in_(delivery_ids), deliveries.c.claim_token == token)
        .values(claim_token=None, claimed_until=until, attempted_at=None)
    )


async def get_delivery(
    session: AsyncSession, *, delivery_id: str, lock: bool = False
) -> DeliveryRecord | None:
    """One attempt, or None; `lock` holds its row until the transaction ends (PostgreSQL)."""
    return await fetch_by_id(session, deliveries, delivery_id, DeliveryRecord, for_update=lock)


async def message_attempts(session: AsyncSession, *, message_id: str) -> list[DeliveryRecord]:
    """Every attempt of one message, first to last."""
    query = (
        select(deliveries)
        .where(deliveries.c.message_id == message_id)
        .order_by(deliveries.c.attempt, deliveries.c.created_at)
    )
    return await fetch_all(session, query, DeliveryRecord)
