"""Raw aiokafka on the benchmark's broker: the baselines, producing events, moving groups on.

The producer and consumer settings are the services' own (pmo_common.messaging: acks=all,
idempotent, linger 5 ms; read_committed, getmany of up to 100 records waiting up to 500 ms,
a commit per partition batch), so a baseline differs from a service only by the service.
"""

from __future__ import annotations

import asyncio
import struct
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from pmo_common.messaging.topics import all_topics, ensure_topics
from pmo_stack.testkit.kafka_records import partitions_of

_MAX_RECORDS = 100
_POLL_MS = 500
SERVICE_GROUPS = "pmo-"  # the services' consumer groups are pmo-<service>


def producer(bootstrap: str) -> AIOKafkaProducer:
    """A producer configured as the services' outbox relay is."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=5
    )


def consumer(bootstrap: str, group_id: str | None = None) -> AIOKafkaConsumer:
    """A consumer configured as the services' are (explicit commits, committed reads only)."""
    return AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
    )


async def end_offsets(bootstrap: str, topic: str) -> dict[TopicPartition, int]:
    """Where each partition of `topic` ends now."""
    partitions = await partitions_of(bootstrap, topic)
    reader = consumer(bootstrap)
    await reader.start()
    try:
        ends: dict[TopicPartition, int] = await reader.end_offsets(partitions)
        return ends
    finally:
        await reader.stop()


async def produce(bootstrap: str, topic: str, records: Sequence[tuple[str, bytes]]) -> float:
    """Send (key, value) records, all in flight at once; seconds until all are acknowledged."""
    sender = producer(bootstrap)
    await sender.start()
    try:
        started = time.perf_counter()
        pending = [await sender.send(topic, value, key=key.encode()) for key, value in records]
        await asyncio.gather(*pending)
        return time.perf_counter() - started
    finally:
        await sender.stop()


async def consume_and_commit(
    bootstrap: str, starts: dict[TopicPartition, int], count: int, *, within: float
) -> float | None:
    """Records per second a fresh consumer group reads and commits from `starts`, batch by
    batch as a service's consumer loop does without applying anything; None when `count`
    records did not arrive `within` seconds.

    Timed from the first batch on, as the services are (their start and group join excluded).
    """
    reader = consumer(bootstrap, group_id=f"bench-raw-{uuid.uuid4().hex[:8]}")
    await reader.start()
    try:
        reader.assign(list(starts))
        for partition, offset in starts.items():
            reader.seek(partition, offset)
        deadline = time.monotonic() + within
        first: tuple[float, int] | None = None
        read = 0
        while read < count:
            if time.monotonic() > deadline:
                return None
            batches = await reader.getmany(timeout_ms=_POLL_MS, max_records=_MAX_RECORDS)
            for partition, records in batches.items():
                read += len(records)
                await reader.commit({partition: records[-1].offset + 1})
            if batches and first is None:
                first = (time.perf_counter(), read)
        if first is None or read == first[1]:
            return None
        return (read - first[1]) / (time.perf_counter() - first[0])
    finally:
        await reader.stop()


async def produce_consume_latencies(
    bootstrap: str, topic: str, *, rate: float, seconds: float
) -> list[float]:
    """Seconds from send to receipt of records sent at `rate` per second for `seconds`."""
    partition = TopicPartition(topic, 0)
    reader = consumer(bootstrap)
    sender = producer(bootstrap)
    await reader.start()
    await sender.start()
    try:
        reader.assign([partition])
        await reader.seek_to_end(partition)
        await reader.position(partition)  # resolve the end now, before anything is sent
        count = max(1, round(rate * seconds))
        latencies: list[float] = []

        async def receive() -> None:
            while len(latencies) < count:
                batches = await reader.getmany(timeout_ms=_POLL_MS, max_records=_MAX_RECORDS)
                now = time.monotonic()
                for records in batches.values():
                    latencies.extend(now - struct.unpack("d", r.value or b"")[0] for r in records)

        receiving = asyncio.create_task(receive())
        started = time.monotonic()
        for number in range(count):
            await asyncio.sleep(max(0.0, started + number / rate - time.monotonic()))
            await sender.send(topic, struct.pack("d", time.monotonic()))
        await asyncio.wait_for(receiving, timeout=30)
        return latencies
    finally:
        await sender.stop()
        await reader.stop()


async def rtt_topic(bootstrap: str) -> str:
    """A fresh one-partition topic for the produce-to-consume baseline."""
    name = f"bench.rtt.{uuid.uuid4().hex[:8]}"
    await ensure_topics(bootstrap, [name], partitions=1)
    return name


@dataclass
class TopicTail:
    """Notes when each key first appears on a topic from now on (monotonic clock)."""

    bootstrap: str
    topic: str
    seen: dict[str, float] = field(default_factory=dict)
    _reader: AIOKafkaConsumer | None = None
    _task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        partitions = await partitions_of(self.bootstrap, self.topic)
        self._reader = consumer(self.bootstrap)
        await self._reader.start()
        self._reader.assign(partitions)
        await self._reader.seek_to_end(*partitions)
        for partition in partitions:
            await self._reader.position(partition)  # the end as of now, not of the first fetch
        self._task = asyncio.create_task(self._follow(self._reader))

    async def _follow(self, reader: AIOKafkaConsumer) -> None:
        while True:
            batches = await reader.getmany(timeout_ms=200)
            now = time.monotonic()
            for records in batches.values():
                for record in records:
                    self.seen.setdefault((record.key or b"").decode(), now)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._reader is not None:
            await self._reader.stop()


async def _committed(bootstrap: str, prefix: str) -> dict[str, dict[TopicPartition, int]]:
    """The committed offsets of every consumer group whose name starts with `prefix`."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        listed = await admin.list_consumer_groups()
        groups = [str(entry[0]) for entry in listed if str(entry[0]).startswith(prefix)]
        return {
            group: {
                partition: meta.offset
                for partition, meta in (await admin.list_consumer_group_offsets(group)).items()
            }
            for group in groups
        }
    finally:
        await admin.close()


async def services_lag(bootstrap: str, prefix: str = SERVICE_GROUPS) -> int:
    """Records the services' consumer groups have not committed yet, over every partition
    they have committed on."""
    committed = await _committed(bootstrap, prefix)
    partitions = {partition for offsets in committed.values() for partition in offsets}
    if not partitions:
        return 0
    reader = consumer(bootstrap)
    await reader.start()
    try:
        ends = await reader.end_offsets(list(partitions))
    finally:
        await reader.stop()
    return sum(
        max(0, ends[partition] - offset)
        for offsets in committed.values()
        for partition, offset in offsets.items()
    )


async def wait_until_drained(bootstrap: str, *, within: float) -> int:
    """Until the services have consumed everything on their topics, or `within` seconds;
    the lag left (0 when drained), so a run starts on a quiet pipeline."""
    deadline = time.monotonic() + within
    while True:
        lag = await services_lag(bootstrap)
        if lag == 0 or time.monotonic() > deadline:
            return lag
        await asyncio.sleep(0.25)


async def move_groups_to_end(bootstrap: str, prefix: str = SERVICE_GROUPS) -> None:
    """Commit the end of every catalog topic for the stopped services' consumer groups.

    The next stack reuses the broker and the group names (`pmo-<service>`); without this it
    would first apply what the previous stack left unread, on another database. Every topic
    of the catalog, not only those a group has committed on: a partition it never committed
    would otherwise be read from its beginning.
    """
    groups = list(await _committed(bootstrap, prefix))
    if not groups:
        return
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics(all_topics())
    finally:
        await admin.close()
    partitions = [
        TopicPartition(entry["topic"], partition["partition"])
        for entry in described
        for partition in entry["partitions"]
    ]
    for group in groups:
        mover = consumer(bootstrap, group_id=group)
        await mover.start()
        try:
            mover.assign(partitions)
            await mover.commit(dict(await mover.end_offsets(partitions)))
        finally:
            await mover.stop()
