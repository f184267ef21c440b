"""Retention of the messaging tables on SQLite: expired rows go in bounded batches, young rows
and unpublished outbox rows stay, and every service's runtime prunes on its own."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest
from pmo_common.db.engine import create_session_factory
from pmo_common.messaging.consumed_events import ConsumedEvents
from pmo_common.messaging.retention import Pruned, RetentionPolicy, prune_expired
from pmo_common.messaging.tables import MessagingTables
from pmo_common.settings import ServiceSettings
from pmo_common.web.runtime import build_runtime, shutdown, start_jobs
from pmo_stack.testkit import eventually
from pmo_stack.testkit.messaging_rows import (
    idempotency_row,
    outbox_row,
    processed_row,
    rows_left,
)
from pydantic import ValidationError
from sqlalchemy import event, insert
from sqlalchemy.ext.asyncio import AsyncEngine

NOW = datetime(2030, 6, 15, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
POLICY = RetentionPolicy(
    outbox_seconds=7 * 86400, processed_events_seconds=14 * 86400, idempotency_seconds=86400
)


class PruningSettings(ServiceSettings):
    service_name: ClassVar[str] = "pruning"


class Rows:
    """Writes messaging rows of a given age straight into the tables, and counts them."""

    def __init__(self, engine: AsyncEngine, tables: MessagingTables) -> None:
        self.engine = engine
        self.tables = tables
        self._serial = 0

    def _next(self, prefix: str) -> str:
        self._serial += 1
        return f"{prefix}-{self._serial}"

    async def add(
        self,
        kind: str,
        *,
        age: timedelta,
        count: int = 1,
        published: bool = True,
        now: datetime = NOW,
    ) -> None:
        """`count` rows of `kind` (outbox, processed, idempotency) written `age` before `now`."""
        at = now - age
        rows: list[dict[str, Any]]
        if kind == "outbox":
            table = self.tables.outbox
            rows = [outbox_row(self._next("evt"), at=at, published=published) for _ in range(count)]
        elif kind == "processed":
            table = self.tables.processed_events
            rows = [
                processed_row(self._next("evt"), at=at, consumer="pmo-pruning")
                for _ in range(count)
            ]
        else:
            table = self.tables.idempotency_keys
            rows = [idempotency_row(self._next("key"), at=at) for _ in range(count)]
        async with self.engine.begin() as connection:
            await connection.execute(insert(table), rows)

    async def counts(self) -> dict[str, int]:
        """Rows left in each table (the outbox's unpublished ones apart)."""
        return await rows_left(self.engine, self.tables)


@pytest.fixture
def rows(messaging_database: tuple[AsyncEngine, MessagingTables]) -> Rows:
    return Rows(*messaging_database)


@pytest.fixture
def deletes(rows: Rows) -> Iterator[list[str]]:
    """The DELETE statements run on the database, as they were sent."""
    seen: list[str] = []

    def note(*args: Any) -> None:
        if str(args[2]).lstrip().upper().startswith("DELETE"):
            seen.append(str(args[2]))

    event.listen(rows.engine.sync_engine, "before_cursor_execute", note)
    yield seen
    event.remove(rows.engine.sync_engine, "before_cursor_execute", note)


async def prune(rows: Rows, **options: Any) -> Pruned:
    sessions = create_session_factory(rows.engine)
    return await prune_expired(sessions, rows.tables, POLICY, now=NOW, **options)


async def test_expired_rows_go_and_young_ones_stay(rows: Rows) -> None:
    await rows.add("outbox", age=8 * DAY, count=3)
    await rows.add("outbox", age=6 * DAY, count=2)
    await rows.add("processed", age=15 * DAY, count=4)
    await rows.add("processed", age=13 * DAY, count=1)
    await rows.add("idempotency", age=25 * timedelta(hours=1), count=2)
    await rows.add("idempotency", age=23 * timedelta(hours=1), count=3)

    pruned = await prune(rows)

    assert pruned == Pruned(outbox=3, processed_events=4, idempotency_keys=2)
    assert await rows.counts() == {"outbox": 2, "unpublished": 0, "processed": 1, "idempotency": 3}


async def test_an_unpublished_outbox_row_is_never_deleted_however_old(rows: Rows) -> None:
    await rows.add("outbox", age=400 * DAY, count=2, published=False)
    await rows.add("outbox", age=400 * DAY, count=1)

    pruned = await prune(rows)

    assert pruned.outbox == 1
    assert await rows.counts() == {"outbox": 0, "unpublished": 2, "processed": 0, "idempotency": 0}


async def test_each_statement_deletes_at_most_one_batch(rows: Rows, deletes: list[str]) -> None:
    await rows.add("processed", age=30 * DAY, count=25)
    await rows.add("processed", age=DAY, count=5)

    pruned = await prune(rows, batch_size=10)

    assert pruned.processed_events == 25
    processed_deletes = [sql for sql in deletes if "processed_events" in sql]
    # 10 + 10 + 5: the short batch says nothing is left.
    assert len(processed_deletes) == 3
    assert all("LIMIT" in sql.upper() for sql in processed_deletes)
    assert (await rows.counts())["processed"] == 5


async def test_pruning_again_deletes_nothing_more(rows: Rows) -> None:
    await rows.add("outbox", age=8 * DAY, count=2)
    await prune(rows)

    assert await prune(rows) == Pruned(outbox=0, processed_events=0, idempotency_keys=0)


async def test_a_stop_signal_ends_the_pass_between_batches(rows: Rows) -> None:
    await rows.add("idempotency", age=2 * DAY, count=30)
    stop = asyncio.Event()
    stop.set()

    pruned = await prune(rows, batch_size=10, stop=stop)

    assert pruned.total == 0
    assert (await rows.counts())["idempotency"] == 30


def test_processed_ids_must_be_kept_longer_than_published_events() -> None:
    with pytest.raises(ValidationError, match="PMO_RETENTION_PROCESSED_EVENTS_SECONDS"):
        PruningSettings(retention_outbox_seconds=86400, retention_processed_events_seconds=86400)
    settings = PruningSettings()
    assert settings.retention_processed_events_seconds > 7 * 86400  # Kafka's default retention
    assert RetentionPolicy.from_settings(settings) == POLICY


LEFT_AFTER_PRUNING = {"outbox": 0, "unpublished": 1, "processed": 0, "idempotency": 0}


async def old_rows_of_every_kind(rows: Rows) -> None:
    """A row of each kind written a day ago (by the real clock), and an unpublished one."""
    for kind in ("outbox", "processed", "idempotency"):
        await rows.add(kind, age=DAY, now=datetime.now(UTC))
    await rows.add("outbox", age=DAY, now=datetime.now(UTC), published=False)


def runtime_settings(rows: Rows, tmp_path: Path, **overrides: Any) -> PruningSettings:
    """A service's settings on the database, keeping rows for a second or two."""
    return PruningSettings(
        database_url=str(rows.engine.url),
        kafka_enabled=False,
        data_dir=tmp_path,
        retention_outbox_seconds=1,
        retention_processed_events_seconds=2,
        retention_idempotency_seconds=1,
        **overrides,
    )


async def test_every_service_runtime_prunes_at_start_up(rows: Rows, tmp_path: Path) -> None:
    await old_rows_of_every_kind(rows)
    runtime = build_runtime(runtime_settings(rows, tmp_path), rows.tables, ConsumedEvents())

    start_jobs(runtime, [])
    try:

        async def pruned() -> bool:
            return await rows.counts() == LEFT_AFTER_PRUNING

        await eventually(pruned, what="the runtime pruning the expired rows")
    finally:
        await shutdown(runtime, timeout=5)


async def test_an_interval_of_zero_turns_pruning_off(rows: Rows, tmp_path: Path) -> None:
    await old_rows_of_every_kind(rows)
    settings = runtime_settings(rows, tmp_path, retention_interval_seconds=0)
    runtime = build_runtime(settings, rows.tables, ConsumedEvents())

    start_jobs(runtime, [])
    try:
        # The pruning task ends by itself, before the stop signal, having deleted nothing.
        await asyncio.wait_for(asyncio.gather(*runtime.upkeep), timeout=10)
    finally:
        await shutdown(runtime, timeout=5)

    assert await rows.counts() == {"outbox": 1, "unpublished": 1, "processed": 1, "idempotency": 1}
