"""Retention on real PostgreSQL: expired messaging rows are deleted in bounded batches, young
and unpublished rows stay, and replicas pruning at once neither wait on each other's locks nor
delete anything twice or wrongly.

Each replica is its own engine (as two processes would be) on one PostgreSQL database.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pmo_common.db.engine import create_database_engine, create_session_factory
from pmo_common.messaging.retention import RetentionPolicy, delete_batch, prune_expired
from pmo_common.messaging.tables import MessagingTables
from pmo_stack.testkit.messaging_database import MessagingDatabase
from pmo_stack.testkit.messaging_rows import idempotency_row, outbox_row, processed_row, rows_left
from sqlalchemy import func, insert, select

pytestmark = pytest.mark.integration

NOW = datetime(2030, 6, 15, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
POLICY = RetentionPolicy(
    outbox_seconds=7 * 86400, processed_events_seconds=14 * 86400, idempotency_seconds=86400
)
# A bound on waits that only a lock wait (or a broken database) could reach.
DEADLINE = 30.0


def outbox_rows(prefix: str, count: int, *, age: timedelta, published: bool) -> list[Any]:
    return [outbox_row(f"{prefix}-{n}", at=NOW - age, published=published) for n in range(count)]


def processed_rows(prefix: str, count: int, *, age: timedelta) -> list[Any]:
    return [
        processed_row(f"{prefix}-{n}", at=NOW - age, consumer="pmo-itest") for n in range(count)
    ]


def key_rows(prefix: str, count: int, *, age: timedelta) -> list[Any]:
    return [idempotency_row(f"{prefix}-{n}", at=NOW - age) for n in range(count)]


async def seed(database: MessagingDatabase) -> None:
    """2,500 expired rows per table, plus young rows and old unpublished outbox rows."""
    tables = database.tables
    async with database.engine.begin() as connection:
        for table, rows in (
            (tables.outbox, outbox_rows("old", 2500, age=8 * DAY, published=True)),
            (tables.outbox, outbox_rows("young", 40, age=6 * DAY, published=True)),
            (tables.outbox, outbox_rows("unsent", 30, age=300 * DAY, published=False)),
            (tables.processed_events, processed_rows("old", 2500, age=15 * DAY)),
            (tables.processed_events, processed_rows("young", 40, age=13 * DAY)),
            (tables.idempotency_keys, key_rows("old", 2500, age=2 * DAY)),
            (tables.idempotency_keys, key_rows("young", 40, age=DAY / 2)),
        ):
            await connection.execute(insert(table), rows)


YOUNG_AND_UNSENT = {"outbox": 40, "unpublished": 30, "processed": 40, "idempotency": 40}


async def test_expired_rows_go_in_batches_and_the_rest_stays(database: MessagingDatabase) -> None:
    await seed(database)
    sessions = create_session_factory(database.engine)

    first = await delete_batch(
        sessions,
        database.tables.processed_events,
        database.tables.processed_events.c.processed_at < NOW - 14 * DAY,
        batch_size=1000,
    )
    pruned = await prune_expired(sessions, database.tables, POLICY, now=NOW)

    assert first == 1000
    assert (pruned.outbox, pruned.processed_events, pruned.idempotency_keys) == (2500, 1500, 2500)
    assert await rows_left(database.engine, database.tables) == YOUNG_AND_UNSENT


async def test_replicas_pruning_at_once_skip_each_others_rows(
    database: MessagingDatabase,
) -> None:
    await seed(database)
    engines = [create_database_engine(database.url) for _ in range(3)]
    try:

        async def replica(index: int) -> int:
            sessions = create_session_factory(engines[index])
            pruned = await prune_expired(sessions, database.tables, POLICY, now=NOW, batch_size=100)
            return pruned.total

        totals = await asyncio.wait_for(asyncio.gather(*map(replica, range(3))), DEADLINE)
    finally:
        for engine in engines:
            await engine.dispose()

    # Every expired row deleted exactly once between them, nothing else.
    assert sum(totals) == 3 * 2500
    assert await rows_left(database.engine, database.tables) == YOUNG_AND_UNSENT


async def test_a_row_locked_by_a_writer_is_skipped_not_waited_for(
    database: MessagingDatabase,
) -> None:
    await seed(database)
    tables: MessagingTables = database.tables
    outbox = tables.outbox
    sessions = create_session_factory(database.engine)
    holder = create_database_engine(database.url)
    try:
        async with holder.connect() as connection, connection.begin():
            # A transaction holding one expired row (as a relay pass or another replica would).
            await connection.execute(
                select(outbox.c.id).where(outbox.c.event_id == "old-0").with_for_update()
            )
            pruned = await asyncio.wait_for(
                prune_expired(sessions, tables, POLICY, now=NOW), DEADLINE
            )
    finally:
        await holder.dispose()

    assert pruned.outbox == 2499
    remaining = select(func.count()).where(outbox.c.event_id == "old-0")
    assert await database.scalar(remaining) == 1
    # The next pass, with the lock gone, takes it.
    assert (await prune_expired(sessions, tables, POLICY, now=NOW)).outbox == 1
