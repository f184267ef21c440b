"""Retention of the messaging tables: what no one needs any more is deleted, a little at a time.

- an outbox row once published, and published longer ago than the outbox retention (a row not
  yet published never: the relay still owes it to Kafka);
- a processed-event id older than its retention, longer than the topics' retention, so an event
  the broker can still redeliver is still recognised;
- an Idempotency-Key record older than its retention (a retry after that creates again).

Each batch is its own short transaction deleting at most `batch_size` rows picked by a
sub-select, so no lock is held for long and writers barely notice. Deleting is idempotent (a
row already gone is simply not deleted again) and, on PostgreSQL, replicas pruning at once
skip the rows another has locked (FOR UPDATE SKIP LOCKED) instead of waiting for them: any
number of replicas may prune at the same time.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Table, delete, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.messaging.tables import MessagingTables
from pmo_common.messaging.waiting import sleep_or_stop
from pmo_common.settings import ServiceSettings

log = logging.getLogger(__name__)
# Rows per statement: a transaction of a few milliseconds even on a busy database.
BATCH_SIZE = 1000


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """How long each kind of messaging row is kept, in seconds."""

    outbox_seconds: float
    processed_events_seconds: float
    idempotency_seconds: float

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> RetentionPolicy:
        """The policy PMO_RETENTION_* configures."""
        return cls(
            outbox_seconds=settings.retention_outbox_seconds,
            processed_events_seconds=settings.retention_processed_events_seconds,
            idempotency_seconds=settings.retention_idempotency_seconds,
        )


@dataclass(frozen=True, slots=True)
class Pruned:
    """Rows one pass deleted, by table."""

    outbox: int
    processed_events: int
    idempotency_keys: int

    @property
    def total(self) -> int:
        """Rows deleted in all."""
        return self.outbox + self.processed_events + self.idempotency_keys


async def prune_expired(
    sessions: async_sessionmaker[AsyncSession],
    tables: MessagingTables,
    policy: RetentionPolicy,
    *,
    now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
    stop: asyncio.Event | None = None,
) -> Pruned:
    """Delete every expired row, batch by batch (stopping early once `stop` is set)."""
    moment = now or datetime.now(UTC)
    outbox = tables.outbox.c
    processed = tables.processed_events.c
    idempotency = tables.idempotency_keys.c

    def before(seconds: float) -> datetime:
        return moment - timedelta(seconds=seconds)

    async def prune(table: Table, expired: ColumnElement[bool]) -> int:
        deleted = 0
        while stop is None or not stop.is_set():
            count = await delete_batch(sessions, table, expired, batch_size=batch_size)
            deleted += count
            if count < batch_size:
                break
        return deleted

    return Pruned(
        outbox=await prune(
            tables.outbox,
            outbox.published_at.is_not(None)
            & (outbox.published_at < before(policy.outbox_seconds)),
        ),
        processed_events=await prune(
            tables.processed_events,
            processed.processed_at < before(policy.processed_events_seconds),
        ),
        idempotency_keys=await prune(
            tables.idempotency_keys,
            idempotency.created_at < before(policy.idempotency_seconds),
        ),
    )


async def delete_batch(
    sessions: async_sessionmaker[AsyncSession],
    table: Table,
    expired: ColumnElement[bool],
    *,
    batch_size: int,
) -> int:
    """Delete at most `batch_size` rows of `table` matching `expired`, in one transaction."""
    key = list(table.primary_key.columns)
    picked = select(*key).where(expired).limit(batch_size).with_for_update(skip_locked=True)
    matches = key[0].in_(picked) if len(key) == 1 else tuple_(*key).in_(picked)
    async with sessions() as session, unit_of_work(session):
        result = cast(CursorResult[Any], await session.execute(delete(table).where(matches)))
    return result.rowcount


async def prune_periodically(
    sessions: async_sessionmaker[AsyncSession],
    tables: MessagingTables,
    settings: ServiceSettings,
    stop: asyncio.Event,
) -> None:
    """Prune at start-up, then every PMO_RETENTION_INTERVAL_SECONDS until `stop` is set."""
    interval = settings.retention_interval_seconds
    if interval <= 0:
        return
    policy = RetentionPolicy.from_settings(settings)
    while not stop.is_set():
        try:
            pruned = await prune_expired(sessions, tables, policy, stop=stop)
            if pruned.total:
                log.info(
                    "pruned %d outbox rows, %d processed-event ids, %d idempotency keys",
                    pruned.outbox,
                    pruned.processed_events,
                    pruned.idempotency_keys,
                )
        except Exception:
            # A database that is down now may be back at the next pass; nothing is lost meanwhile.
            log.exception("pruning the messaging tables failed; trying again later")
        await sleep_or_stop(stop, interval)
