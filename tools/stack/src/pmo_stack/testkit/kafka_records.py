"""Kafka helpers for tests on a real broker: throwaway topics, producing, reading back, offsets."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from pmo_common.events.catalog import EventSpec
from pmo_common.events.envelope import CloudEvent
from pmo_common.events.payloads import EventPayload
from pmo_common.messaging.topics import dead_letter_topic, ensure_topics

PARTITIONS = 3
DEADLINE = 60.0  # bound on every wait; nothing asserts on elapsed time


class Sequenced(EventPayload):
    """The payload of a test topic's events: which project, and where in its sequence."""

    project_id: str
    seq: int


def itest_event_spec(topic: str) -> EventSpec[Sequenced]:
    """A catalog-style entry for a throwaway topic, so typed handlers can consume it."""
    return EventSpec(topic, Sequenced, "itest", "An event on a throwaway test topic")


def sequenced_event(topic: str, key: str, seq: int, **extensions: str) -> CloudEvent:
    """A CloudEvent on a test topic, keyed (subject) by `key`."""
    return CloudEvent(
        source="/pmo/itest",
        type=topic,
        subject=key,
        data={"project_id": key, "seq": seq},
        **extensions,
    )


async def create_test_topic(bootstrap: str, prefix: str, partitions: int = PARTITIONS) -> str:
    """A fresh topic (and its dead-letter topic) with a unique name."""
    name = f"{prefix}.{uuid.uuid4().hex[:10]}"
    await ensure_topics(bootstrap, [name, dead_letter_topic(name)], partitions=partitions)
    return name


async def produce_events(
    bootstrap: str, events: Sequence[CloudEvent]
) -> dict[str, tuple[int, int]]:
    """Send the events in order, keyed by subject; returns each event's (partition, offset)."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        placed = {}
        for event in events:
            meta = await producer.send_and_wait(
                event.type, event.to_bytes(), key=(event.subject or "").encode()
            )
            placed[event.id] = (meta.partition, meta.offset)
        return placed
    finally:
        await producer.stop()


async def produce_raw(bootstrap: str, topic: str, key: str, values: list[bytes]) -> list[int]:
    """Send raw records in order with one key; returns [partition, offset, offset, ...]."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        sent = [await producer.send_and_wait(topic, value, key=key.encode()) for value in values]
    finally:
        await producer.stop()
    assert len({metadata.partition for metadata in sent}) == 1
    return [sent[0].partition, *(metadata.offset for metadata in sent)]


async def partitions_of(bootstrap: str, topic: str) -> list[TopicPartition]:
    """The topic's partitions, as the broker describes them."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics([topic])
    finally:
        await admin.close()
    found = [
        TopicPartition(topic, partition["partition"])
        for entry in described
        for partition in entry["partitions"]
    ]
    assert found, f"{topic} has no partitions"
    return found


async def read_all(bootstrap: str, topic: str) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record now in the topic (all partitions, from the beginning to the end offsets)."""
    assigned = await partitions_of(bootstrap, topic)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(assigned)
        await consumer.seek_to_beginning(*assigned)
        end = await consumer.end_offsets(assigned)
        records: list[ConsumerRecord[bytes, bytes]] = []
        async with asyncio.timeout(DEADLINE):
            while [tp for tp in assigned if await consumer.position(tp) < end[tp]]:
                batches = await consumer.getmany(timeout_ms=200)
                for batch in batches.values():
                    records.extend(batch)
        return records
    finally:
        await consumer.stop()


def event_ids(records: Sequence[ConsumerRecord[bytes, bytes]]) -> list[str]:
    """The CloudEvent ids of records, in their order."""
    return [CloudEvent.from_bytes(record.value or b"").id for record in records]


async def ids_on(bootstrap: str, topic: str) -> list[str]:
    """The CloudEvent ids of every record now in the topic, in the order `read_all` reads them."""
    return event_ids(await read_all(bootstrap, topic))


async def events_about(bootstrap: str, topic: str, project_ids: set[str]) -> list[CloudEvent]:
    """Every CloudEvent now in the topic whose data is about one of the given projects."""
    events = [CloudEvent.from_bytes(r.value or b"") for r in await read_all(bootstrap, topic)]
    return [event for event in events if event.data.get("project_id") in project_ids]


def assert_once_each(
    events: Sequence[CloudEvent], key: Callable[[CloudEvent], Hashable], expected: set[Any]
) -> None:
    """One event for each `expected` key, and none besides: the proof of exactly once."""
    per_key = Counter(key(event) for event in events)
    assert set(per_key) == expected
    more_than_once = {each: count for each, count in per_key.items() if count != 1}
    assert not more_than_once, f"announced more than once: {more_than_once}"


async def committed_offsets(bootstrap: str, group: str, topic: str) -> dict[int, int]:
    """The consumer group's committed offsets on the topic, by partition ({} while electing)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    except KafkaError as exc:
        if not exc.retriable:
            raise
        return {}  # the group coordinator is still being elected: nothing committed yet
    finally:
        await admin.close()
    return {tp.partition: meta.offset for tp, meta in offsets.items() if tp.topic == topic}
