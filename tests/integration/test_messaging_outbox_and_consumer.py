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
from pmo_common.db.engine import create_database_engine
from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.events.envelope import CloudEvent
from pmo_common.messaging.consumed_events import Consumed, ConsumedEvents
from pmo_common.messaging.event_applier import EventApplier
from pmo_common.messaging.kafka_consumer import KafkaEventConsumer
from pmo_common.messaging.kafka_publisher import KafkaPublisher
from pmo_common.messaging.outbox import OutboxRelay
from pmo_common.messaging.topics import dead_letter_topic
from pmo_stack.ports import free_port
from pmo_stack.testkit import eventually
from pmo_stack.testkit.kafka_records import (
    DEADLINE,
    Sequenced,
    committed_offsets,
    create_test_topic,
    event_ids,
    ids_on,
    itest_event_spec,
    produce_raw,
    read_all,
    sequenced_event,
)
from pmo_stack.testkit.messaging_database import MessagingDatabase
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

pytestmark = pytest.mark.integration

Runner = Callable[[asyncio.Event], Coroutine[Any, Any, None]]


@pytest.fixture
async def topic(kafka_bootstrap: str) -> str:
    return await create_test_topic(kafka_bootstrap, "itest.messaging")


def an_event(topic: str, key: str, seq: int) -> CloudEvent:
    return sequenced_event(
        topic,
        key,
        seq,
        correlationid=f"corr-{key}-{seq}",
        traceparent=f"00-{uuid.uuid4().hex}-{uuid.uuid4().hex[:16]}-01",
    )


async def enqueue(
    database: MessagingDatabase, events: list[CloudEvent], per_transaction: int
) -> None:
    sessions = database.sessions()
    for start in range(0, len(events), per_transaction):
        async with sessions() as session, unit_of_work(session):
            for event in events[start : start + per_transaction]:
                await database.outbox.enqueue_envelope(session, event)


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
    database: MessagingDatabase, bootstrap: str, *, batch_size: int = 200
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


async def test_the_relay_publishes_every_row_in_order_per_key(
    database: MessagingDatabase, topic: str, kafka_bootstrap: str
) -> None:
    events = [an_event(topic, f"project-{i % 5}", i) for i in range(50)]
    await enqueue(database, events, per_transaction=12)

    async with (
        relay_on(database, kafka_bootstrap, batch_size=16) as (relay, _),
        running(relay.run),
    ):
        await eventually(
            lambda: _none_left(database), what="every outbox row is published", within=DEADLINE
        )

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


async def _none_left(database: MessagingDatabase) -> bool:
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
    database: MessagingDatabase,
    topic: str,
    kafka_bootstrap: str,
    relay_log: pytest.LogCaptureFixture,
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
            what="the relay has tried and failed to reach the broker",
            within=DEADLINE,
        )
        assert await database.unsent() == 10
        assert not publisher.started
        async with broker_reachable_at(port, kafka_bootstrap):
            await eventually(
                lambda: _none_left(database), what="the waiting rows are published", within=DEADLINE
            )

    records = await read_all(kafka_bootstrap, topic)
    assert sorted(event_ids(records)) == sorted(e.id for e in events)


async def _logged(caplog: pytest.LogCaptureFixture, message: str) -> bool:
    return any(message in record.getMessage() for record in caplog.records)


async def test_two_relays_on_one_database_publish_each_row_once(
    database: MessagingDatabase, topic: str, kafka_bootstrap: str
) -> None:
    events = [an_event(topic, f"project-{i % 5}", i) for i in range(300)]
    await enqueue(database, events[:200], per_transaction=50)
    second_engine = create_database_engine(database.url)
    second = MessagingDatabase(database.url, second_engine, database.tables, database.applied)
    try:
        async with (
            relay_on(database, kafka_bootstrap, batch_size=10) as (first_relay, _),
            relay_on(second, kafka_bootstrap, batch_size=10) as (second_relay, _),
            running(first_relay.run, second_relay.run),
        ):
            await enqueue(database, events[200:], per_transaction=10)
            await eventually(
                lambda: _none_left(database), what="every outbox row is published", within=DEADLINE
            )
    finally:
        await second_engine.dispose()

    ids = await ids_on(kafka_bootstrap, topic)
    duplicates = {i for i in ids if ids.count(i) > 1}
    assert not duplicates, f"{len(duplicates)} events were published more than once"
    assert sorted(ids) == sorted(e.id for e in events)


async def test_an_oversized_row_does_not_hold_back_the_rows_behind_it(
    database: MessagingDatabase, topic: str, kafka_bootstrap: str
) -> None:
    small_before = an_event(topic, "project-a", 1)
    oversized = an_event(topic, "project-b", 2)
    oversized.data["blob"] = "x" * 2_000_000
    small_after = an_event(topic, "project-c", 3)
    await enqueue(database, [small_before, oversized, small_after], per_transaction=3)

    async def only_the_oversized_row_is_left() -> bool:
        return await database.unsent() == 1

    async with relay_on(database, kafka_bootstrap) as (relay, _), running(relay.run):
        await eventually(
            only_the_oversized_row_is_left, what="the small rows are published", within=DEADLINE
        )

    outbox = database.tables.outbox
    async with database.engine.connect() as connection:
        row = (
            await connection.execute(select(outbox).where(outbox.c.event_id == oversized.id))
        ).one()
    assert row.published_at is None
    assert row.attempts >= 1
    assert "MessageSizeTooLarge" in row.last_error
    ids = await ids_on(kafka_bootstrap, topic)
    assert sorted(ids) == sorted([small_before.id, small_after.id])


@dataclass
class ConsumingService:
    database: MessagingDatabase
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

    async def committed(self, group: str | None = None) -> dict[int, int]:
        return await committed_offsets(self.bootstrap, group or self.group, self.topic)


@pytest.fixture
async def service(
    database: MessagingDatabase, topic: str, kafka_bootstrap: str
) -> AsyncIterator[ConsumingService]:
    async def record_effect(session: AsyncSession, event: Consumed[Sequenced]) -> None:
        await session.execute(insert(database.applied).values(event_id=event.id))

    applier = EventApplier(
        consumer="itest-consumer",
        session_factory=database.sessions(),
        tables=database.tables,
        handlers=ConsumedEvents().add(itest_event_spec(topic), record_effect),
        max_attempts=2,
        retry_backoff=0.01,
    )
    group = f"itest-group-{uuid.uuid4().hex[:8]}"
    service = ConsumingService(database, kafka_bootstrap, topic, group, applier)
    yield service
    for publisher in service.publishers:
        await publisher.stop()


async def test_garbage_is_dead_lettered_and_the_consumer_moves_past_it(
    service: ConsumingService,
) -> None:
    garbage = b"\x00not json"
    first, second = an_event(service.topic, "p-1", 1), an_event(service.topic, "p-1", 2)
    partition, *offsets = await produce_raw(
        service.bootstrap, service.topic, "p-1", [first.to_bytes(), garbage, second.to_bytes()]
    )

    async def moved_past_all_three() -> bool:
        return (await service.committed()).get(partition) == offsets[-1] + 1

    consumer = service.consumer()
    async with running(consumer.run):
        await eventually(
            moved_past_all_three,
            what="the consumer commits past the three records",
            within=DEADLINE,
        )

    async with service.database.engine.connect() as connection:
        applied = (await connection.execute(select(service.database.applied.c.event_id))).all()
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
    partition, *offsets = await produce_raw(
        service.bootstrap, service.topic, "p-7", [event.to_bytes(), event.to_bytes()]
    )

    def moved_past(group: str) -> Callable[[], Awaitable[bool]]:
        async def check() -> bool:
            return (await service.committed(group)).get(partition) == offsets[-1] + 1

        return check

    async with running(service.consumer().run):
        await eventually(
            moved_past(service.group), what="both deliveries are consumed", within=DEADLINE
        )
    assert await service.database.effects() == 1

    # Lost offsets (a new group reading from the start) redeliver both records again.
    replay_group = f"{service.group}-replay"
    async with running(service.consumer(replay_group).run):
        await eventually(
            moved_past(replay_group), what="the replayed deliveries are consumed", within=DEADLINE
        )
    assert await service.database.effects() == 1
    processed = service.database.tables.processed_events
    assert await service.database.scalar(select(func.count()).select_from(processed)) == 1
    assert await read_all(service.bootstrap, dead_letter_topic(service.topic)) == []
