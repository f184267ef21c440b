"""A week of messaging traffic compressed into seconds: the tables and the process stay flat.

`uv run python -m bench.retention_soak [--days 7] [--day-seconds 2] [--per-day 2000]
[--database-url URL]`

One simulated day lasts `--day-seconds` real seconds. Every day `--per-day` rows are written
to each messaging table, as the services leave them (outbox rows published by the relay,
processed-event ids, Idempotency-Key records), in ten transactions spread over the day, while
the retention job a service runs (`prune_periodically`) prunes four times a day with its
retention scaled to the compressed day: published outbox rows 2 days, processed-event ids 3
days, idempotency keys 1 day. Five outbox rows written through `EventOutbox` are never
published (Kafka down since): they must survive.

At the end of each day the row counts of each table and the RSS of this process are printed:
the counts grow for the retention window, then stay flat (within a day's traffic); the RSS
levels off. A last line of JSON carries the figures. SQLite in a temporary folder unless
`--database-url` names another database (e.g. PostgreSQL, whose messaging tables are created
there). Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from pmo_common.db.engine import create_database_engine, create_session_factory
from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.events.envelope import CloudEvent
from pmo_common.messaging.outbox import EventOutbox
from pmo_common.messaging.retention import prune_periodically
from pmo_common.messaging.tables import MessagingTables, messaging_tables
from pmo_common.settings import ServiceSettings
from pmo_stack.testkit.messaging_rows import idempotency_row, outbox_row, processed_row, rows_left
from sqlalchemy import MetaData, insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.stack.rss import rss_mb

# Retention in simulated days, and prunes per simulated day.
OUTBOX_DAYS, PROCESSED_DAYS, IDEMPOTENCY_DAYS = 2, 3, 1
PRUNES_PER_DAY = 4
# Writes per simulated day, spread over it.
SLICES_PER_DAY = 10
NEVER_PUBLISHED = 5
# The printed columns and their widths.
COLUMNS = {"day": 4, "outbox": 10, "unpublished": 12, "processed": 10, "idempotency": 12}


def table_line(cells: dict[str, str]) -> str:
    """One line of the printed table, the RSS last."""
    line = " ".join(f"{cells[name]:>{width}}" for name, width in COLUMNS.items())
    return f"{line} {cells['rss_mb']:>8}"


class SoakSettings(ServiceSettings):
    service_name: ClassVar[str] = "soak"


async def write_slice(
    sessions: async_sessionmaker[AsyncSession], tables: MessagingTables, rows: int
) -> None:
    """`rows` rows of each kind in one transaction: published events, processed ids, keys."""
    now = datetime.now(UTC)
    payload = CloudEvent(source="/pmo/soak", type="project.updated", data={"n": 1}).to_bytes()

    def many(make: Callable[[], dict[str, Any]]) -> list[dict[str, Any]]:
        return [make() for _ in range(rows)]

    async with sessions() as session, unit_of_work(session):
        # Outbox rows as the relay leaves them once Kafka has the events.
        await session.execute(
            insert(tables.outbox),
            many(
                lambda: outbox_row(
                    str(uuid.uuid4()),
                    at=now,
                    topic="project.updated",
                    payload=payload.decode(),
                    attempts=1,
                )
            ),
        )
        await session.execute(
            insert(tables.processed_events),
            many(
                lambda: processed_row(
                    str(uuid.uuid4()), at=now, consumer="pmo-soak", event_type="project.updated"
                )
            ),
        )
        await session.execute(
            insert(tables.idempotency_keys),
            many(
                lambda: idempotency_row(
                    str(uuid.uuid4()), at=now, request_hash="0" * 64, response_body='{"id": "x"}'
                )
            ),
        )


async def never_published(
    sessions: async_sessionmaker[AsyncSession], tables: MessagingTables
) -> None:
    """Outbox rows the relay has not sent (Kafka down since): pruning must keep them."""
    outbox = EventOutbox("soak", tables)
    async with sessions() as session, unit_of_work(session):
        for _ in range(NEVER_PUBLISHED):
            await outbox.enqueue_envelope(
                session, CloudEvent(source="/pmo/soak", type="project.updated", data={})
            )


async def soak(args: argparse.Namespace, database_url: str) -> list[dict[str, float]]:
    """Run the compressed week; one row of figures per simulated day."""
    day = args.day_seconds
    settings = SoakSettings(
        database_url=database_url,
        kafka_enabled=False,
        retention_outbox_seconds=OUTBOX_DAYS * day,
        retention_processed_events_seconds=PROCESSED_DAYS * day,
        retention_idempotency_seconds=IDEMPOTENCY_DAYS * day,
        retention_interval_seconds=day / PRUNES_PER_DAY,
    )
    metadata = MetaData()
    tables = messaging_tables(metadata)
    engine = create_database_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    sessions = create_session_factory(engine)
    stop = asyncio.Event()
    pruning = asyncio.create_task(prune_periodically(sessions, tables, settings, stop))
    figures: list[dict[str, float]] = []
    try:
        await never_published(sessions, tables)
        loop = asyncio.get_running_loop()
        for number in range(1, args.days + 1):
            day_ends = loop.time() + day
            for slice_number in range(SLICES_PER_DAY):
                await write_slice(sessions, tables, args.per_day // SLICES_PER_DAY)
                slice_ends = day_ends - day * (SLICES_PER_DAY - slice_number - 1) / SLICES_PER_DAY
                await asyncio.sleep(max(0.0, slice_ends - loop.time()))
            row = {"day": float(number), **await rows_left(engine, tables)}
            row["rss_mb"] = rss_mb(os.getpid()) or 0.0
            figures.append(row)
            cells = {name: f"{row[name]:.0f}" for name in COLUMNS}
            print(table_line(cells | {"rss_mb": f"{row['rss_mb']:.1f}"}), flush=True)
    finally:
        stop.set()
        await pruning
        await engine.dispose()
    return figures


async def run(args: argparse.Namespace) -> None:
    """Print the table, then one line of JSON."""
    print(
        f"retention_soak: {args.days} days of {args.day_seconds:g} s, {args.per_day} rows per "
        f"table per day; kept {OUTBOX_DAYS} d (published outbox), {PROCESSED_DAYS} d (processed "
        f"ids), {IDEMPOTENCY_DAYS} d (idempotency keys), pruned {PRUNES_PER_DAY}x a day"
    )
    print(table_line({name: name for name in [*COLUMNS, "rss_mb"]}))
    with tempfile.TemporaryDirectory(prefix="pmo-retention-soak-") as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'soak.db'}"
        figures = await soak(args, url)
    # Past the longest retention the tables no longer grow: the last day against the window's.
    settled = [row for row in figures if row["day"] > PROCESSED_DAYS + 1]
    summary = {
        "days": args.days,
        "rows_last_day": {key: figures[-1][key] for key in ("outbox", "processed", "idempotency")},
        "rows_max_after_window": {
            key: max((row[key] for row in settled), default=0.0)
            for key in ("outbox", "processed", "idempotency")
        },
        "unpublished_kept": figures[-1]["unpublished"],
        "rss_mb_first_day": figures[0]["rss_mb"],
        "rss_mb_max": max(row["rss_mb"] for row in figures),
    }
    print(json.dumps(summary))


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--days", type=int, default=7, help="simulated days")
    parser.add_argument("--day-seconds", type=float, default=2.0, help="real seconds per day")
    parser.add_argument("--per-day", type=int, default=2000, help="rows per table per day")
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temp folder")
    asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
