"""Groups of deliveries (ADR 0017): the events waiting in each, and when each last went out.

An event's delivery to a grouping subscription is a `deliveries` row in status `grouped`, with
its group's id, due at `next_attempt_at`; the group's one delivery takes the waiting rows by
setting `grouped_into` (compare-and-set: a row already taken is never taken again).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from pmo_common.db.rows import as_utc, fetch_all, fetch_where, record_from, values_of
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db.tables import WAITING_IN_GROUP, deliveries, delivery_groups, projects
from pmo_notifications.domain.delivery_grouping import DeliveryGroup
from pmo_notifications.domain.delivery_schedule import DeliveryRecord, PlannedDelivery
from pmo_notifications.domain.webhook_signature import new_message_id

# The predicate of the partial index on waiting rows, written as the index is, so PostgreSQL
# matches it whatever the statement's parameters.
_WAITING = text(WAITING_IN_GROUP)


@dataclass(frozen=True, slots=True)
class WaitingDelivery:
    """An event's delivery joining a group, due at `due_at`."""

    planned: PlannedDelivery
    group_id: str
    due_at: datetime


async def groups_by_id(
    session: AsyncSession, *, group_ids: Collection[str]
) -> dict[str, DeliveryGroup]:
    """The groups named that exist, by id."""
    query = select(delivery_groups).where(delivery_groups.c.id.in_(sorted(group_ids)))
    return {group.id: group for group in await fetch_all(session, query, DeliveryGroup)}


async def add_groups(session: AsyncSession, *, groups: Sequence[DeliveryGroup]) -> None:
    """Record new groups; one another transaction recorded meanwhile is left as it is."""
    if not groups:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    await session.execute(
        dialect.insert(delivery_groups).on_conflict_do_nothing(
            index_elements=[delivery_groups.c.id]
        ),
        [values_of(group) for group in groups],
    )


async def waiting_due_at(
    session: AsyncSession, *, group_ids: Collection[str]
) -> dict[str, datetime]:
    """When each named group that has events waiting is due (its earliest waiting event)."""
    rows = await session.execute(
        select(deliveries.c.group_id, func.min(deliveries.c.next_attempt_at))
        .where(_WAITING, deliveries.c.group_id.in_(sorted(group_ids)))
        .group_by(deliveries.c.group_id)
    )
    return {group_id: as_utc(due) for group_id, due in rows}


async def insert_waiting_deliveries(
    session: AsyncSession, *, waiting: Sequence[WaitingDelivery], at: datetime
) -> None:
    """Record each event's delivery as waiting in its group until its due time."""
    if not waiting:
        return
    await session.execute(
        insert(deliveries),
        [
            values_of(
                one.planned,
                id=str(uuid.uuid4()),
                message_id=new_message_id(),
                attempt=1,
                http_status=None,
                created_at=at,
                planned_at=at,
                next_attempt_at=one.due_at,
                completed_at=None,
                group_id=one.group_id,
                grouped_into=None,
            )
            for one in waiting
        ],
    )


async def due_group_ids(session: AsyncSession, *, due_by: datetime, limit: int) -> list[str]:
    """The groups with an event due by `due_by`, longest due first."""
    rows = await session.execute(
        select(deliveries.c.group_id)
        .where(_WAITING, deliveries.c.next_attempt_at <= due_by)
        .group_by(deliveries.c.group_id)
        .order_by(func.min(deliveries.c.next_attempt_at), deliveries.c.group_id)
        .limit(limit)
    )
    return [group_id for (group_id,) in rows]


async def lock_group(session: AsyncSession, *, group_id: str) -> DeliveryGroup | None:
    """The group, its row locked until the transaction ends (PostgreSQL): one replica at a
    time decides whether it goes out."""
    return await fetch_where(
        session, delivery_groups, delivery_groups.c.id == group_id, DeliveryGroup, for_update=True
    )


async def postpone_waiting(session: AsyncSession, *, group_id: str, until: datetime) -> None:
    """Make the group's waiting events due at `until` (its interval since the last send)."""
    await session.execute(
        update(deliveries)
        .where(deliveries.c.group_id == group_id, _WAITING)
        .values(next_attempt_at=until)
    )


async def take_waiting(
    session: AsyncSession, *, group_id: str, message_id: str, at: datetime, limit: int
) -> list[DeliveryRecord]:
    """Take up to `limit` of the group's waiting events, oldest first, into the delivery with
    `message_id`; an event another transaction took meanwhile is not taken again."""
    oldest = (
        select(deliveries.c.id)
        .where(deliveries.c.group_id == group_id, _WAITING)
        .order_by(deliveries.c.created_at, deliveries.c.id)
        .limit(limit)
    )
    rows = await session.execute(
        update(deliveries)
        .where(deliveries.c.id.in_(oldest), _WAITING)
        .values(grouped_into=message_id, completed_at=at)
        .returning(*deliveries.c)
    )
    taken = [record_from(DeliveryRecord, row) for row in rows.mappings()]
    return sorted(taken, key=lambda record: (record.created_at, record.id))


async def record_group_sent(
    session: AsyncSession, *, group_id: str, sent_at: datetime, next_send_at: datetime
) -> None:
    """Note that the group went out at `sent_at` and may go out again from `next_send_at`."""
    await session.execute(
        update(delivery_groups)
        .where(delivery_groups.c.id == group_id)
        .values(last_sent_at=sent_at, next_send_at=next_send_at, sends=delivery_groups.c.sends + 1)
    )


async def project_names(session: AsyncSession, *, project_ids: Collection[str]) -> dict[str, str]:
    """The name of each named project the projection knows."""
    if not project_ids:
        return {}
    rows = await session.execute(
        select(projects.c.id, projects.c.name).where(projects.c.id.in_(sorted(project_ids)))
    )
    return {project_id: name for project_id, name in rows}


async def grouped_into(session: AsyncSession, *, delivery_ids: Collection[str]) -> dict[str, str]:
    """For each named delivery taken into a group's delivery, that delivery's message id."""
    if not delivery_ids:
        return {}
    rows = await session.execute(
        select(deliveries.c.id, deliveries.c.grouped_into).where(
            deliveries.c.id.in_(sorted(delivery_ids)), deliveries.c.grouped_into.is_not(None)
        )
    )
    return {delivery_id: message_id for delivery_id, message_id in rows}
