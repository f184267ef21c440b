"""The outbox relay and the idempotent consumer against a real Kafka broker and PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from pmo_common.db.engine import create_database_engine, create_session_factory
from pmo_common.events.envelope import CloudEvent
from pmo_common.messaging.event_applier import EventApplier
from pmo_common.messaging.kafka_consumer import KafkaEventConsumer
from pmo_common.messaging.kafka_publisher import KafkaPublisher
from pmo_common.messaging.outbox import OutboxRelay, enqueue_event, outbox_session_info
from pmo_common.messaging.tables import MessagingTables, messaging_tables
from pmo_common.messaging.topics import dead_letter_topic, ensure_topics
from pmo_stack.ports import free_port
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

pytestmark = pytest.mark.integration

PARTITIONS = 3
DEADLINE = 60.0
Runner = Callable[[asyncio.Event], Coroutine[Any, Any, None]]


@dataclass
class Database:
    url: str
    engine: AsyncEngine
    tables: MessagingTables
    effects: Table

    def sessions(self, wake: Callable[[], None] | None = None) -> async_sessionmaker[AsyncSession]:
        return create_session_factory(self.engine, outbox_session_info(wake) if wake else None)

    async def scalar(self, query: object) -> int:
        async with self.engine.connect() as connection:
            return int(await connection.scalar(query) or 0)  # type: ignore[call-overload]

    async def unsent(self) -> int:
        outbox = self.tables.outbox
        query = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
        return await self.scalar(query)


@pytest.fixture
async def database(make_database: Callable[[str], str]) -> AsyncIterator[Database]:
    url = make_database("messaging")
    metadata = MetaData()
    tables = messaging_tables(metadata)
    effects = Table(
        "effects",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("event_id", String(64), nullable=False),
        Column("project_id", String(64), nullable=False),
    )
    engine = create_database_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield Database(url, engine, tables, effects)
    await engine.dispose()


@pytest.fixture
async def topic(kafka_bootstrap: str) -> str:
    name = f"itest.messaging.{uuid.uuid4().hex[:10]}"
    await ensure_topics(kafka_bootstrap, [name, dead_letter_topic(name)], partitions=PARTITIONS)
    return name


def an_event(topic: str, key: str, seq: int) -> CloudEvent:
    return CloudEvent(
        source="/pmo/itest",
        type=topic,
        subject=key,
        correlationid=f"corr-{key}-{seq}",
        traceparent=f"00-{uuid.uuid4().hex}-{uuid.uuid4().hex[:16]}-01",
        data={"project_id": key, "seq": seq},
    )


async def enqueue(database: Database, events: list[CloudEvent], per_transaction: int) -> None:
    sessions = database.sessions()
    for start in range(0, len(events), per_transaction):
        async with sessions() as session, session.begin():
            for event in events[start : start + per_transaction]:
                await enqueue_event(session, database.tables, event)


async def eventually(check: Callable[[], Awaitable[bool]], what: str) -> None:
    """Poll `check` with short sleeps until it holds or the deadline passes."""
    deadline = asyncio.get_running_loop().time() + DEADLINE
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"timed out waiting until {what}")
        await asyncio.sleep(0.05)


@asynccontextmanager
async def running(*runners: Runner) -> AsyncIterator[None]:
    """Run relays or consumers in the background; stop them gracefully on exit."""
    stop = asyncio.Event()
    tasks = [asyncio.create_task(run(stop)) for run in runners]
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=DEADLINE)


@asynccontextmanager
async def relay_on(
    database: Database, bootstrap: str, *, batch_size: int = 200
) -> AsyncIterator[tuple[OutboxRelay, KafkaPublisher]]:
    publisher = KafkaPublisher(bootstrap, f"itest-relay-{uuid.uuid4().hex[:6]}")
    relay_holder: list[OutboxRelay] = []
    relay = OutboxRelay(
        session_factory=database.sessions(lambda: relay_holder[0].wake()),
        tables=database.tables,
        publisher=publisher,
        batch_size=batch_size,
        poll_interval=0.2,
    )
    relay_holder.append(relay)
    try:
        yield relay, publisher
    finally:
        await publisher.stop()


async def read_all(bootstrap: str, topic: str) -> list[ConsumerRecord]:
    """Every record now in the topic (all partitions, from the beginning to the end offsets)."""
    partitions = [TopicPartition(topic, p) for p in range(PARTITIONS)]
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        end = await consumer.end_offsets(partitions)
        records: list[ConsumerRecord] = []
        async with asyncio.timeout(DEADLINE):
            while [tp for tp in partitions if await consumer.position(tp) < end[tp]]:
                batches = await consumer.getmany(timeout_ms=200)
                for batch in batches.values():
                    records.extend(batch)
        return records
    finally:
        await consumer.stop()


def event_ids(records: list[ConsumerRecord]) -> list[str]:
    return [CloudEvent.from_bytes(record.value).id for record in records]


async def test_the_relay_publishes_every_row_in_order_per_key(
    database: Database, topic: str, kafka_bootstrap: str
) -> None:
    events = [an_event(topic, f"project-{i % 5}", i) for i in range(50)]
    await enqueue(database, events, per_transaction=12)

    async with (
        relay_on(database, kafka_bootstrap, batch_size=16) as (relay, _),
        running(relay.run),
    ):
        await eventually(lambda: _none_left(database), "every outbox row is published")

    records = await read_all(kafka_bootstrap, topic)
    assert sorted(event_ids(records)) == sorted(e.id for e in events)
    by_key: dict[str, list[int]] = defaultdict(list)
    partitions_by_key: dict[str, set[int]] = defaultdict(set)
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        event = CloudEvent.from_bytes(record.value)
        assert record.key == event.subject.encode()  # type: ignore[union-attr]
        by_key[event.subject or ""].append(event.data["seq"])
        partitions_by_key[event.subject or ""].add(record.partition)
        headers = dict(record.headers)
        assert headers["content-type"].startswith(b"application/cloudevents+json")
        assert headers["correlation-id"] == (event.correlationid or "").encode()
        assert headers["traceparent"] == (event.traceparent or "").encode()
    assert all(len(p) == 1 for p in partitions_by_key.values())
    assert by_key == {f"project-{k}": list(range(k, 50, 5)) for k in range(5)}


async def _none_left(database: Database) -> bool:
    return await database.unsent() == 0


@pytest.fixture
def relay_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    with caplog.at_level(logging.ERROR, logger="pmo_common.messaging.outbox"):
        yield caplog


async def _forward(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


@asynccontextmanager
async def broker_reachable_at(port: int, bootstrap: str) -> AsyncIterator[None]:
    """Forward 127.0.0.1:`port` to the broker: a bootstrap address that comes up late."""
    host, broker_port = bootstrap.split(",")[0].rsplit(":", 1)

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(host, int(broker_port))
        await asyncio.gather(_forward(reader, upstream_writer), _forward(upstream_reader, writer))

    server = await asyncio.start_server(pipe, "127.0.0.1", port)
    try:
        yield
    finally:
        server.close()


async def test_rows_wait_for_the_broker_and_are_sent_once_it_is_reachable(
    database: Database, topic: str, kafka_bootstrap: str, relay_log: pytest.LogCaptureFixture
) -> None:
    events = [an_event(topic, f"project-{i % 2}", i) for i in range(10)]
    await enqueue(database, events, per_transaction=5)

    async with relay_on(database, kafka_bootstrap) as (relay, publisher):
        with pytest.raises(RuntimeError, match="not started"):
            await relay.publish_pending()
        assert not publisher.started
    assert await database.unsent() == 10

    port = free_port()
    async with (
        relay_on(database, f"127.0.0.1:{port}") as (relay, publisher),
        running(relay.run),
    ):
        await eventually(
            lambda: _logged(relay_log, "outbox relay pass failed"),
            "the relay has tried and failed to reach the broker",
        )
        assert await database.unsent() == 10
        assert not publisher.started
        async with broker_reachable_at(port, kafka_bootstrap):
            await eventually(lambda: _none_left(database), "the waiting rows are published")

    records = await read_all(kafka_bootstrap, topic)
    assert sorted(event_ids(records)) == sorted(e.id for e in events)


async def _logged(caplog: pytest.LogCaptureFixture, message: str) -> bool:
    return any(message in record.getMessage() for record in caplog.records)


async def test_two_relays_on_one_database_publish_each_row_once(
    database: Database, topic: str, kafka_bootstrap: str
) -> None:
    events = [an_event(topic, f"project-{i % 5}", i) for i in range(300)]
    await enqueue(database, events[:200], per_transaction=50)
    second_engine = create_database_engine(database.url)
    second = Database(database.url, second_engine, database.tables, database.effects)
    try:
        async with (
            relay_on(database, kafka_bootstrap, batch_size=10) as (first_relay, _),
            relay_on(second, kafka_bootstrap, batch_size=10) as (second_relay, _),
            running(first_relay.run, second_relay.run),
        ):
            await enqueue(database, events[200:], per_transaction=10)
            await eventually(lambda: _none_left(database), "every outbox row is published")
    finally:
        await second_engine.dispose()

    ids = event_ids(await read_all(kafka_bootstrap, topic))
    duplicates = {i for i in ids if ids.count(i) > 1}
    assert not duplicates, f"{len(duplicates)} events were published more than once"
    assert sorted(ids) == sorted(e.id for e in events)


async def test_an_oversized_row_does_not_hold_back_the_rows_behind_it(
    database: Database, topic: str, kafka_bootstrap: str
) -> None:
    small_before = an_event(topic, "project-a", 1)
    oversized = an_event(topic, "project-b", 2)
    oversized.data["blob"] = "x" * 2_000_000
    small_after = an_event(topic, "project-c", 3)
    await enqueue(database, [small_before, oversized, small_after], per_transaction=3)

    async def only_the_oversized_row_is_left() -> bool:
        return await database.unsent() == 1

    async with relay_on(database, kafka_bootstrap) as (relay, _), running(relay.run):
        await eventually(only_the_oversized_row_is_left, "the small rows are published")

    outbox = database.tables.outbox
    async with database.engine.connect() as connection:
        row = (
            await connection.execute(select(outbox).where(outbox.c.event_id == oversized.id))
        ).one()
    assert row.published_at is None
    assert row.attempts >= 1
    assert "MessageSizeTooLarge" in row.last_error
    ids = event_ids(await read_all(kafka_bootstrap, topic))
    assert sorted(ids) == sorted([small_before.id, small_after.id])


@dataclass
class ConsumingService:
    database: Database
    bootstrap: str
    topic: str
    group: str
    applier: EventApplier
    publishers: list[KafkaPublisher] = field(default_factory=list)

    def consumer(self, group: str | None = None) -> KafkaEventConsumer:
        dead_letters = KafkaPublisher(self.bootstrap, f"{self.group}-dlq")
        self.publishers.append(dead_letters)
        return KafkaEventConsumer(
            bootstrap_servers=self.bootstrap,
            group_id=group or self.group,
            applier=self.applier,
            dead_letters=dead_letters,
        )

    async def effects(self) -> int:
        return await self.database.scalar(select(func.count()).select_from(self.database.effects))

    async def committed(self, group: str | None = None) -> dict[int, int]:
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
        await admin.start()
        try:
            offsets = await admin.list_consumer_group_offsets(group or self.group)
        except KafkaError as exc:
            if not exc.retriable:
                raise
            return {}  # the group coordinator is still being elected: nothing committed yet
        finally:
            await admin.close()
        return {tp.partition: meta.offset for tp, meta in offsets.items() if tp.topic == self.topic}


@pytest.fixture
async def service(
    database: Database, topic: str, kafka_bootstrap: str
) -> AsyncIterator[ConsumingService]:
    async def record_effect(session: AsyncSession, event: CloudEvent) -> None:
        await session.execute(
            insert(database.effects).values(event_id=event.id, project_id=event.data["project_id"])
        )

    applier = EventApplier(
        consumer="itest-consumer",
        session_factory=database.sessions(),
        tables=database.tables,
        handlers={topic: record_effect},
        max_attempts=2,
        retry_backoff=0.01,
    )
    group = f"itest-group-{uuid.uuid4().hex[:8]}"
    service = ConsumingService(database, kafka_bootstrap, topic, group, applier)
    yield service
    for publisher in service.publishers:
        await publisher.stop()


async def produce(bootstrap: str, topic: str, key: str, values: list[bytes]) -> list[int]:
    """Send records in order with one key; returns (partition, offsets)."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        sent = [await producer.send_and_wait(topic, value, key=key.encode()) for value in values]
    finally:
        await producer.stop()
    assert len({metadata.partition for metadata in sent}) == 1
    return [sent[0].partition, *(metadata.offset for metadata in sent)]


async def test_garbage_is_dead_lettered_and_the_consumer_moves_past_it(
    service: ConsumingService,
) -> None:
    garbage = b"\x00not json"
    first, second = an_event(service.topic, "p-1", 1), an_event(service.topic, "p-1", 2)
    partition, *offsets = await produce(
        service.bootstrap, service.topic, "p-1", [first.to_bytes(), garbage, second.to_bytes()]
    )

    async def moved_past_all_three() -> bool:
        return (await service.committed()).get(partition) == offsets[-1] + 1

    consumer = service.consumer()
    async with running(consumer.run):
        await eventually(moved_past_all_three, "the consumer commits past the three records")

    async with service.database.engine.connect() as connection:
        applied = (await connection.execute(select(service.database.effects.c.event_id))).all()
    assert sorted(row.event_id for row in applied) == sorted([first.id, second.id])
    (dead,) = await read_all(service.bootstrap, dead_letter_topic(service.topic))
    assert dead.value == garbage
    assert dead.key == b"p-1"
    headers = dict(dead.headers)
    assert headers["dlq-error"].startswith(b"not a CloudEvent")
    assert headers["dlq-original-topic"] == service.topic.encode()
    assert headers["dlq-original-partition"] == str(partition).encode()
    assert headers["dlq-original-offset"] == str(offsets[1]).encode()
    assert headers["dlq-consumer-group"] == service.group.encode()


async def test_a_redelivered_event_is_applied_once(service: ConsumingService) -> None:
    event = an_event(service.topic, "p-7", 1)
    partition, *offsets = await produce(
        service.bootstrap, service.topic, "p-7", [event.to_bytes(), event.to_bytes()]
    )

    def moved_past(group: str) -> Callable[[], Awaitable[bool]]:
        async def check() -> bool:
            return (await service.committed(group)).get(partition) == offsets[-1] + 1

        return check

    async with running(service.consumer().run):
        await eventually(moved_past(service.group), "both deliveries are consumed")
    assert await service.effects() == 1

    # Lost offsets (a new group reading from the start) redeliver both records again.
    replay_group = f"{service.group}-replay"
    async with running(service.consumer(replay_group).run):
        await eventually(moved_past(replay_group), "the replayed deliveries are consumed")
    assert await service.effects() == 1
    processed = service.database.tables.processed_events
    assert await service.database.scalar(select(func.count()).select_from(processed)) == 1
    assert await read_all(service.bootstrap, dead_letter_topic(service.topic)) == []
