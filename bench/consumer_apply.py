"""Consumed events applied per second: one poll batch per transaction beside one event per
transaction, through EventApplier, on SQLite and PostgreSQL.

`uv run python -m bench.consumer_apply [--events 5000] [--batch 500] [--repeat 1]
[--consumers bare monitoring notifications standards] [--databases sqlite postgresql]`

N `project.created` events (each a new project) are applied to a fresh database per pass, by
the services' own handlers (monitoring, notifications, standards: their consumed-event
registries and tables) and by a bare projection handler that writes one row (what every
consumer pays at least). "one by one" is `apply_raw` per record, the consumer's path before
batching; "batched" is `apply_batch` per slice of `--batch` records, as the consumer now
applies a partition's share of one poll. No Kafka: the figure is the applying alone, which is
what the consumer adds to a raw aiokafka consume + commit (13,700-14,500/s on a 2-core machine,
issue 14). PostgreSQL: PMO_TEST_DATABASE_URL (a user that may CREATE DATABASE), else a
throwaway server of the test kit. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pmo_common.db.engine import create_session_factory
from pmo_common.events.catalog import PROJECT_CREATED
from pmo_common.events.payloads import ProjectCreated
from pmo_common.messaging.consumed_events import Consumed, ConsumedEvents
from pmo_common.messaging.event_applier import EventApplier, Outcome
from pmo_common.messaging.tables import MessagingTables
from pmo_monitoring.db import tables as monitoring_tables
from pmo_monitoring.handlers.consumed_events import CONSUMED as MONITORING_CONSUMED
from pmo_notifications.db import tables as notifications_tables
from pmo_notifications.handlers.consumed_events import CONSUMED as NOTIFICATIONS_CONSUMED
from pmo_stack.ports import free_port
from pmo_stack.postgres_cluster import PostgresCluster, create_database_at
from pmo_stack.testkit.direct_tables import engine_with_tables, messaging_with_table
from pmo_standards.db import tables as standards_tables
from pmo_standards.handlers.consumed_events import CONSUMED as STANDARDS_CONSUMED
from sqlalchemy import Column, MetaData, String, insert
from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bench.project_events import project_created_records

RAW_CONSUME_COMMIT_PER_S = 13_700  # the low end of issue 14's raw aiokafka figure
GOAL_SHARE_OF_RAW = 0.25

bare_tables, bare_projects = messaging_with_table(
    "projects",
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
)


async def _project_row(session: AsyncSession, event: Consumed[ProjectCreated]) -> None:
    await session.execute(
        insert(bare_projects).values(id=event.payload.project_id, name=event.payload.name)
    )


@dataclass(frozen=True)
class Consumer:
    """A consuming service as the applier sees it: its tables and its handlers."""

    name: str
    metadata: MetaData
    tables: MessagingTables
    handlers: ConsumedEvents


CONSUMERS = {
    consumer.name: consumer
    for consumer in (
        Consumer(
            "bare",
            bare_projects.metadata,
            bare_tables,
            ConsumedEvents().add(PROJECT_CREATED, _project_row),
        ),
        Consumer(
            "standards",
            standards_tables.metadata,
            standards_tables.messaging,
            STANDARDS_CONSUMED,
        ),
        Consumer(
            "monitoring",
            monitoring_tables.metadata,
            monitoring_tables.messaging,
            MONITORING_CONSUMED,
        ),
        Consumer(
            "notifications",
            notifications_tables.metadata,
            notifications_tables.messaging,
            NOTIFICATIONS_CONSUMED,
        ),
    )
}


DatabaseMaker = Callable[[str], str]


@contextmanager
def postgres_databases() -> Iterator[DatabaseMaker]:
    """A maker of fresh PostgreSQL databases: PMO_TEST_DATABASE_URL's server, or a throwaway."""
    external = os.environ.get("PMO_TEST_DATABASE_URL")
    if external:
        yield lambda prefix: create_database_at(external, f"{prefix}_{uuid.uuid4().hex[:10]}")
        return
    data_dir = Path(tempfile.mkdtemp(prefix="pmo-bench-apply-pg-"))
    cluster = PostgresCluster(data_dir=data_dir, port=free_port())
    try:
        cluster.start()
        cluster.wait_ready()
        yield lambda prefix: cluster.create_database(f"{prefix}_{uuid.uuid4().hex[:10]}")
    finally:
        cluster.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


@contextmanager
def sqlite_databases() -> Iterator[DatabaseMaker]:
    """A maker of fresh SQLite files (the embedded default) in a temporary folder."""
    folder = Path(tempfile.mkdtemp(prefix="pmo-bench-apply-sqlite-"))
    try:
        yield lambda prefix: f"sqlite+aiosqlite:///{folder / f'{prefix}_{uuid.uuid4().hex}.db'}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@asynccontextmanager
async def fresh_engine(url: str, metadata: MetaData) -> AsyncIterator[AsyncEngine]:
    engine = await engine_with_tables(url, metadata)
    try:
        yield engine
    finally:
        await engine.dispose()


@dataclass(frozen=True)
class Pass:
    seconds: float
    cpu_seconds: float
    """CPU time of this process (with aiosqlite's thread): the rate a busy machine hides."""
    statements: int


async def timed_pass(
    consumer: Consumer, url: str, records: Sequence[bytes], batch: int | None
) -> Pass:
    """Apply every record to a fresh database, one by one (`batch` None) or in batches."""
    async with fresh_engine(url, consumer.metadata) as engine:
        applier = EventApplier(
            consumer="bench",
            session_factory=create_session_factory(engine),
            tables=consumer.tables,
            handlers=consumer.handlers,
        )
        statements = [0]

        def count(*_: Any) -> None:
            statements[0] += 1

        sa_event.listen(engine.sync_engine, "before_cursor_execute", count)
        started, cpu_started = time.perf_counter(), time.process_time()
        if batch is None:
            outcomes = [(await applier.apply_raw(record))[0] for record in records]
        else:
            outcomes = []
            for start in range(0, len(records), batch):
                chunk = records[start : start + batch]
                outcomes += [outcome for outcome, _ in await applier.apply_batch(chunk)]
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    if set(outcomes) != {Outcome.APPLIED}:
        raise RuntimeError(f"{consumer.name}: not every event applied: {set(outcomes)}")
    return Pass(seconds, cpu_seconds, statements[0])


async def measure(
    backend: str, make_url: DatabaseMaker, consumers: Sequence[Consumer], options: Any
) -> list[list[str]]:
    records = [value for _, value in project_created_records(options.events)]
    rows = []
    for consumer in consumers:
        passes: dict[str, Pass] = {}
        for mode, batch in (("one by one", None), ("batched", options.batch)):
            runs = []
            for _ in range(options.repeat):
                url = await asyncio.to_thread(make_url, "bench_apply")
                runs.append(await timed_pass(consumer, url, records, batch))
            passes[mode] = min(runs, key=lambda run: run.seconds)
        single, batched = passes["one by one"], passes["batched"]
        count = options.events
        rate = count / batched.seconds
        rows.append(
            [
                backend,
                consumer.name,
                f"{count / single.seconds:,.0f}",
                f"{rate:,.0f}",
                f"{single.seconds / batched.seconds:.1f}x",
                f"{single.statements / count:.1f} / {batched.statements / count:.1f}",
                f"{count / single.cpu_seconds:,.0f} / {count / batched.cpu_seconds:,.0f}",
                f"1/{RAW_CONSUME_COMMIT_PER_S / rate:.1f}",
            ]
        )
        print(" | ".join(rows[-1]), flush=True)
    return rows


HEADER = [
    "database",
    "consumer",
    "one by one ev/s",
    "batched ev/s",
    "batched / one by one",
    "SQL per event (1x1 / batch)",
    "ev per CPU-s (1x1 / batch)",
    "batched vs raw consume",
]


def print_table(rows: list[list[str]]) -> None:
    widths = [max(len(row[i]) for row in [HEADER, *rows]) for i in range(len(HEADER))]
    for row in [HEADER, ["-" * width for width in widths], *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


async def run(options: Any) -> None:
    consumers = [CONSUMERS[name] for name in options.consumers]
    print(
        f"{options.events} project.created events, batches of {options.batch}, "
        f"fastest of {options.repeat}; raw consume + commit ~{RAW_CONSUME_COMMIT_PER_S:,}/s, "
        f"goal >= 1/{1 / GOAL_SHARE_OF_RAW:.0f} of it"
    )
    rows: list[list[str]] = []
    for backend, databases in (("SQLite", sqlite_databases), ("PostgreSQL", postgres_databases)):
        if backend.lower() not in options.databases:
            continue
        with databases() as make_url:
            rows += await measure(backend, make_url, consumers, options)
    print()
    print_table(rows)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=500, help="records per apply_batch")
    parser.add_argument("--repeat", type=int, default=1, help="passes each; the fastest counts")
    parser.add_argument(
        "--consumers", nargs="+", choices=sorted(CONSUMERS), default=list(CONSUMERS)
    )
    parser.add_argument(
        "--databases", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"]
    )
    asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
