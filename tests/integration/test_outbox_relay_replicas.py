"""Two replicas' outbox relays on one database, against real Kafka: each row published once,
every key's events in the order they were written, on SQLite and on PostgreSQL.

Each replica has its own engine (as two processes would), its own relay and its own
publisher; both write events and both relay at the same time.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from pmo_common.db.engine import create_database_engine, create_session_factory
from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.events.envelope import CloudEvent
from pmo_common.messaging.kafka_publisher import KafkaPublisher
from pmo_common.messaging.outbox import EventOutbox, OutboxRelay, outbox_session_info
from pmo_common.messaging.tables import MessagingTables, messaging_tables
from pmo_stack.testkit import eventually
from pmo_stack.testkit.kafka_records import DEADLINE, create_test_topic, read_all, sequenced_event
from sqlalchemy import MetaData, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

pytestmark = pytest.mark.integration

KEYS = 5
EVENTS = 300


@dataclass
class Replica:
    """One replica's view of the shared database: its engine, relay and publisher."""

    engine: AsyncEngine
    relay: OutboxRelay
    publisher: KafkaPublisher

    async def write(self, tables: MessagingTables, events: list[CloudEvent]) -> None:
        """Store events in one transaction whose commit wakes this replica's relay."""
        async with self.relay.session_factory() as session, unit_of_work(session):
            for event in events:
                await EventOutbox("itest", tables).enqueue_envelope(session, event)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, make_database: Callable[[str], str]
) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'relay.db'}"
    return make_database("relays")


@pytest.fixture
async def tables(database_url: str) -> MessagingTables:
    metadata = MetaData()
    tables = messaging_tables(metadata)
    engine = create_database_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    await engine.dispose()
    return tables


def replica(database_url: str, tables: MessagingTables, bootstrap: str) -> Replica:
    engine = create_database_engine(database_url)
    publisher = KafkaPublisher(bootstrap, f"itest-replica-{uuid.uuid4().hex[:6]}")
    relay = OutboxRelay(
        session_factory=create_session_factory(engine),
        tables=tables,
        publisher=publisher,
        # Small batches: many passes, so the two relays overlap many times.
        batch_size=10,
        poll_interval=0.1,
    )
    relay.session_factory.configure(info=outbox_session_info(relay.wake))
    return Replica(engine, relay, publisher)


async def unsent(replica: Replica, tables: MessagingTables) -> int:
    outbox = tables.outbox
    query = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
    async with replica.engine.connect() as connection:
        return int(await connection.scalar(query) or 0)


async def running_replicas(
    stack: AsyncExitStack, database_url: str, tables: MessagingTables, bootstrap: str
) -> list[Replica]:
    """Two replicas whose relays run until the stack closes (then stop and disconnect)."""
    replicas = [replica(database_url, tables, bootstrap) for _ in range(2)]
    stop = asyncio.Event()
    for each in replicas:
        stack.push_async_callback(each.engine.dispose)
        stack.push_async_callback(each.publisher.stop)
    tasks = [asyncio.create_task(each.relay.run(stop)) for each in replicas]

    async def stop_relays() -> None:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=DEADLINE)

    stack.push_async_callback(stop_relays)
    return replicas


@pytest.fixture
async def topic(kafka_bootstrap: str) -> str:
    return await create_test_topic(kafka_bootstrap, "itest.relays")


async def test_two_relays_publish_each_row_once_in_order_per_key(
    database_url: str, tables: MessagingTables, topic: str, kafka_bootstrap: str
) -> None:
    events = [sequenced_event(topic, f"project-{i % KEYS}", i) for i in range(EVENTS)]
    async with AsyncExitStack() as stack:
        first, second = await running_replicas(stack, database_url, tables, kafka_bootstrap)
        # A backlog both relays find at once, then writes through both replicas while they
        # relay. One write after the other, so the outbox's id order is the sequence order.
        await first.write(tables, events[:200])
        for start in range(200, EVENTS, 10):
            writer = first if start % 20 else second
            await writer.write(tables, events[start : start + 10])

        async def none_left() -> bool:
            return await unsent(first, tables) == 0

        await eventually(none_left, what="every outbox row is published", within=DEADLINE)

    records = sorted(await read_all(kafka_bootstrap, topic), key=lambda r: (r.partition, r.offset))
    published = [CloudEvent.from_bytes(record.value or b"") for record in records]
    ids = [event.id for event in published]
    duplicated = {event_id for event_id in ids if ids.count(event_id) > 1}
    assert not duplicated, f"{len(duplicated)} of {EVENTS} events were published more than once"
    assert sorted(ids) == sorted(event.id for event in events)
    sequences: dict[str, list[int]] = defaultdict(list)
    for event in published:
        sequences[event.subject or ""].append(event.data["seq"])
    assert sequences == {f"project-{k}": list(range(k, EVENTS, KEYS)) for k in range(KEYS)}
