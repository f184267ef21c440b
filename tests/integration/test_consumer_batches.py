"""Batched consumption on a real Kafka broker and PostgreSQL: a partition's records are applied
in one transaction, and a poison event among them is still the only one dead-lettered."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import pytest
from pmo_common.events.envelope import CloudEvent
from pmo_common.messaging.consumed_events import Consumed, ConsumedEvents
from pmo_common.messaging.event_applier import EventApplier
from pmo_common.messaging.topics import dead_letter_topic
from pmo_stack.testkit import eventually
from pmo_stack.testkit.consuming import dead_lettering_consumer, running
from pmo_stack.testkit.kafka_records import (
    DEADLINE,
    Sequenced,
    committed_offsets,
    create_test_topic,
    itest_event_spec,
    produce_events,
    read_all,
    sequenced_event,
)
from pmo_stack.testkit.messaging_database import MessagingDatabase
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

pytestmark = pytest.mark.integration

KEY = "project-batch"


@dataclass
class BatchConsumer:
    """Applies a test topic; remembers which session ran each handler call (batch evidence)."""

    database: MessagingDatabase
    bootstrap: str
    topic: str
    poison_seq: int | None = None
    group: str = field(default_factory=lambda: f"itest-batches-{uuid.uuid4().hex[:8]}")
    calls: list[tuple[int, int]] = field(default_factory=list)
    """(session key, seq) of every handler call, rolled back or not."""

    async def handle(self, session: AsyncSession, event: Consumed[Sequenced]) -> None:
        self.calls.append((session.sync_session.hash_key, event.payload.seq))
        if event.payload.seq == self.poison_seq:
            raise ValueError(f"seq {self.poison_seq} breaks the handler")
        await session.execute(insert(self.database.applied).values(event_id=event.id))

    @asynccontextmanager
    async def consuming(self) -> AsyncIterator[None]:
        applier = EventApplier(
            consumer="itest-batches",
            session_factory=self.database.sessions(),
            tables=self.database.tables,
            handlers=ConsumedEvents().add(itest_event_spec(self.topic), self.handle),
            max_attempts=2,
            retry_backoff=0.01,
        )
        async with (
            dead_lettering_consumer(self.bootstrap, self.group, applier) as consumer,
            running(consumer),
        ):
            yield

    async def consume_past(self, partition: int, offset: int) -> None:
        """Consume until the group's committed offset of `partition` is past `offset`."""

        async def committed_past() -> bool:
            committed = await committed_offsets(self.bootstrap, self.group, self.topic)
            return committed.get(partition) == offset + 1

        async with self.consuming():
            await eventually(committed_past, what="offsets committed past all", within=DEADLINE)

    async def applied_ids(self) -> Counter[str]:
        async with self.database.engine.connect() as connection:
            rows = await connection.scalars(select(self.database.applied.c.event_id))
            return Counter(rows)

    def most_events_in_one_session(self) -> int:
        return max(Counter(session for session, _ in self.calls).values())


@pytest.fixture
async def topic(kafka_bootstrap: str) -> str:
    return await create_test_topic(kafka_bootstrap, "itest.batches")


async def produce_on_one_partition(
    bootstrap: str, events: list[CloudEvent]
) -> tuple[int, list[int]]:
    """Send the events (all keyed alike) before any consumer runs: their partition and offsets."""
    placed = await produce_events(bootstrap, events)
    partitions = {partition for partition, _ in placed.values()}
    assert len(partitions) == 1
    return partitions.pop(), [placed[event.id][1] for event in events]


async def test_a_poison_event_in_a_batch_is_dead_lettered_alone(
    database: MessagingDatabase, topic: str, kafka_bootstrap: str
) -> None:
    events = [sequenced_event(topic, KEY, seq) for seq in range(20)]
    poison = events[7]
    partition, offsets = await produce_on_one_partition(kafka_bootstrap, events)
    consumer = BatchConsumer(database, kafka_bootstrap, topic, poison_seq=7)

    await consumer.consume_past(partition, offsets[-1])

    assert await consumer.applied_ids() == Counter(e.id for e in events if e is not poison)
    assert await database.processed() == len(events) - 1
    (dead,) = await read_all(kafka_bootstrap, dead_letter_topic(topic))
    assert dead.value == poison.to_bytes()
    headers = dict(dead.headers)
    assert headers["dlq-original-offset"] == str(offsets[7]).encode()
    assert headers["dlq-error-type"] == b"ValueError"
    # The poison was first met inside a batch: in one session after the events before it.
    first_session = next(session for session, seq in consumer.calls if seq == poison.data["seq"])
    assert [seq for session, seq in consumer.calls if session == first_session] == list(range(8))


async def test_an_event_twice_in_one_batch_is_applied_once(
    database: MessagingDatabase, topic: str, kafka_bootstrap: str
) -> None:
    first, second, third = (sequenced_event(topic, KEY, seq) for seq in range(3))
    partition, offsets = await produce_on_one_partition(
        kafka_bootstrap, [first, second, first, third, second]
    )
    consumer = BatchConsumer(database, kafka_bootstrap, topic)

    await consumer.consume_past(partition, offsets[-1])

    assert await consumer.applied_ids() == Counter([first.id, second.id, third.id])
    assert await database.processed() == 3
    assert await read_all(kafka_bootstrap, dead_letter_topic(topic)) == []
    assert sorted(seq for _, seq in consumer.calls) == [0, 1, 2]
    assert consumer.most_events_in_one_session() > 1  # applied as a batch
