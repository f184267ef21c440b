"""The delivery log: one row per attempt, claimed by one replica at a time under a lease."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache

from pmo_common.db.rows import (
    fetch_all,
    fetch_by_id,
    fetch_page,
    matching,
    record_from,
    values_of,
)
from pmo_common.web.pagination import PageRequest
from sqlalchemy import Integer, Select, and_, bindparam, case, exists, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.base import Executable

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
                planned_at=at,
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
    a lease that runs out (a replica crashed mid-send) makes the row claimable again. An attempt
    waits while an older message of its project to the same target is still pending (head of
    line per target and project), so a target that comes back receives each project's messages
    in the order they were planned.
    """
    rows = await session.execute(
        _claim_statement(), {"now": now, "lease_until": lease_until, "token": token, "limit": limit}
    )
    claimed = (record_from(DeliveryRecord, row) for row in rows.mappings())
    return sorted(claimed, key=lambda record: record.next_attempt_at)


@cache
def _claim_statement() -> Executable:
    """The claim of `claim_due_deliveries`, built once: the job claims on every commit that
    plans or ends deliveries, and its instants, token and limit are bound at execution."""
    now = bindparam("now", type_=deliveries.c.next_attempt_at.type)
    due = (
        select(deliveries.c.id)
        .where(
            deliveries.c.status == PENDING,
            deliveries.c.next_attempt_at <= now,
            or_(deliveries.c.claimed_until.is_(None), deliveries.c.claimed_until < now),
            or_(deliveries.c.project_id.is_(None), ~exists(_older_message_waiting())),
        )
        .order_by(deliveries.c.next_attempt_at, deliveries.c.id)
        .limit(bindparam("limit", type_=Integer))
        .with_for_update(skip_locked=True)
    )
    claim: Executable = (
        update(deliveries)
        .where(deliveries.c.id.in_(due))
        .values(
            claim_token=bindparam("token", type_=deliveries.c.claim_token.type),
            claimed_until=bindparam("lease_until", type_=deliveries.c.claimed_until.type),
            attempted_at=now,
        )
        .returning(*deliveries.c)
    )
    return claim


def _older_message_waiting() -> Select[tuple[str]]:
    """The pending attempts planned before the outer query's row, for its target and project
    (messages planned at the same instant are ordered by their ids)."""
    older = deliveries.alias("older")
    row = deliveries.c
    return select(older.c.id).where(
        older.c.project_id == row.project_id,
        older.c.status == PENDING,
        older.c.channel == row.channel,
        older.c.target == row.target,
        or_(
            older.c.planned_at < row.planned_at,
            and_(older.c.planned_at == row.planned_at, older.c.message_id < row.message_id),
        ),
    )


@dataclass(frozen=True, slots=True)
class AttemptEnd:
    """How one claimed attempt ended: what `finish_attempts` records."""

    delivery_id: str
    token: str
    status: str
    http_status: int | None = None
    error: str | None = None


async def finish_attempts(
    session: AsyncSession, *, ends: Sequence[AttemptEnd], at: datetime
) -> list[DeliveryRecord]:
    """Record the outcomes of claimed attempts; returns those whose claim was still this
    replica's (an attempt whose lease ran out and was claimed again is left to its new owner).

    One statement per distinct (claim, outcome): the attempts of one claim that were delivered
    are recorded together, however many they are.
    """
    alike: defaultdict[tuple[str, str, int | None, str | None], list[str]] = defaultdict(list)
    for end in ends:
        alike[(end.token, end.status, end.http_status, end.error)].append(end.delivery_id)
    finished: list[DeliveryRecord] = []
    for (token, status, http_status, error), delivery_ids in alike.items():
        rows = await session.execute(
            update(deliveries)
            .where(
                deliveries.c.id.in_(delivery_ids),
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
        finished.extend(record_from(DeliveryRecord, row) for row in rows.mappings())
    return finished


async def insert_next_attempt(
    session: AsyncSession, *, previous: DeliveryRecord, next_attempt_at: datetime, at: datetime
) -> str:
    """Record the attempt that follows a failed one (same message id); returns its id."""
    (following,) = await insert_next_attempts(
        session, previous=[previous], next_attempt_at=next_attempt_at, at=at
    )
    return following.id


async def insert_next_attempts(
    session: AsyncSession,
    *,
    previous: Sequence[DeliveryRecord],
    next_attempt_at: datetime,
    at: datetime,
) -> list[DeliveryRecord]:
    """Record the attempt that follows each failed one: same message id and planned time (its
    place in its project's order), pending from `next_attempt_at`."""
    following = [
        replace(
            attempt,
            id=str(uuid.uuid4()),
            attempt=attempt.attempt + 1,
            status=PENDING,
            http_status=None,
            error=None,
            created_at=at,
            next_attempt_at=next_attempt_at,
            attempted_at=None,
            completed_at=None,
        )
        for attempt in previous
    ]
    if following:
        await session.execute(insert(deliveries), [values_of(attempt) for attempt in following])
    return following


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


async def waiting_targets(
    session: AsyncSession, *, channel: str, now: datetime
) -> list[tuple[str, str]]:
    """(id, target) of the channel's pending attempts nobody holds that are not due yet or were
    handed back until later (a retry wait, or a circuit that was open)."""
    rows = await session.execute(
        select(deliveries.c.id, deliveries.c.target).where(
            deliveries.c.status == PENDING,
            deliveries.c.channel == channel,
            deliveries.c.claim_token.is_(None),
            or_(deliveries.c.next_attempt_at > now, deliveries.c.claimed_until > now),
        )
    )
    return [(row.id, row.target) for row in rows]


async def make_due(session: AsyncSession, *, delivery_ids: list[str], now: datetime) -> None:
    """Make waiting attempts due at `now` (their target is back).

    Only rows nobody holds are touched; bringing an attempt forward spends no attempt.
    """
    if not delivery_ids:
        return
    await session.execute(
        update(deliveries)
        .where(
            deliveries.c.id.in_(delivery_ids),
            deliveries.c.status == PENDING,
            deliveries.c.claim_token.is_(None),
        )
        .values(
            next_attempt_at=case(
                (deliveries.c.next_attempt_at > now, now), else_=deliveries.c.next_attempt_at
            ),
            claimed_until=None,
        )
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
