"""`python -m pmo_stack replay-dlq`: dead letters back onto their original topics, each once.

A consumer dead-letters an event it can never apply as it is (docs/dead-letters.md). Once the
cause is fixed, this puts the events back where they came from, so the consumers apply them
again: each dead letter's value, key and original headers (its `dlq-*` headers dropped) are
produced to its original topic, and only once that produce is acknowledged is the dead letter's
offset committed in the replay's own consumer group. So a second run replays only what was
dead-lettered since, and a run that stops halfway resumes where it stopped. Replaying is safe
because consumers skip an event id they have applied and order health effects by version.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from pmo_common.events.catalog import EVENT_CATALOG
from pmo_common.messaging.topics import DEAD_LETTER_SUFFIX, dead_letter_topic

REPLAY_GROUP = "pmo-dlq-replay"
_DLQ_HEADER_PREFIX = "dlq-"


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """One dead letter: where it sits, where it came from, and why it was dead-lettered."""

    topic: str
    partition: int
    offset: int
    original_topic: str
    key: bytes | None
    error_type: str
    error: str

    def describe(self) -> str:
        """One line for the operator."""
        key = self.key.decode(errors="replace") if self.key is not None else "-"
        return (
            f"{self.topic}[{self.partition}]@{self.offset} -> {self.original_topic} key={key} "
            f"({self.error_type}: {self.error[:200]})"
        )


@dataclass(frozen=True, slots=True)
class ReplaySummary:
    """What a run found: the dead letters (replayed unless `dry_run`) and topics not found."""

    dead_letters: tuple[DeadLetter, ...]
    dry_run: bool
    missing_topics: tuple[str, ...] = ()

    @property
    def replayed(self) -> int:
        """How many dead letters were produced again to their original topics."""
        return 0 if self.dry_run else len(self.dead_letters)

    def describe(self) -> str:
        """The closing line for the operator."""
        topics = len({letter.topic for letter in self.dead_letters})
        done = "would replay" if self.dry_run else "replayed"
        line = f"{done} {len(self.dead_letters)} dead letters from {topics} topics"
        if self.missing_topics:
            line += f"; not on the broker: {', '.join(self.missing_topics)}"
        return line


def dead_letter_topics(names: Sequence[str] | None) -> list[str]:
    """The DLQ topics to read: each name as a DLQ topic or an event type; all by default."""
    if not names:
        return [dead_letter_topic(event_type) for event_type in sorted(EVENT_CATALOG)]
    return [
        name if name.endswith(DEAD_LETTER_SUFFIX) else dead_letter_topic(name) for name in names
    ]


async def replay_dead_letters(
    bootstrap_servers: str,
    topics: Sequence[str] | None = None,
    *,
    dry_run: bool = False,
    on_dead_letter: Callable[[DeadLetter], None] | None = None,
    group_id: str = REPLAY_GROUP,
) -> ReplaySummary:
    """Replay the dead letters not yet replayed, up to the end of each DLQ topic seen at start.

    `topics` are event types or DLQ topics (default: every catalog topic's DLQ).
    `on_dead_letter` is called for each one, after it is produced (or, in a dry run, read).
    """
    partitions, missing = await _partitions_of(bootstrap_servers, dead_letter_topics(topics))
    async with AsyncExitStack() as stack:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap_servers,
            group_id=group_id,
            client_id=group_id,
            enable_auto_commit=False,
            # Only where nothing is committed yet, or the committed offset has aged out.
            auto_offset_reset="earliest",
            isolation_level="read_committed",
        )
        await consumer.start()
        stack.push_async_callback(consumer.stop)
        producer = None
        if not dry_run:
            producer = AIOKafkaProducer(
                bootstrap_servers=bootstrap_servers,
                client_id=group_id,
                acks="all",
                enable_idempotence=True,
            )
            await producer.start()
            stack.push_async_callback(producer.stop)
        letters = await _Replay(consumer, producer, on_dead_letter).run(partitions)
    return ReplaySummary(tuple(letters), dry_run, missing)


async def _partitions_of(
    bootstrap_servers: str, topics: list[str]
) -> tuple[list[TopicPartition], tuple[str, ...]]:
    """The partitions of those topics that exist, and the names of those that do not."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id=REPLAY_GROUP)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        found = [topic for topic in topics if topic in existing]
        described = await admin.describe_topics(found) if found else []
    finally:
        await admin.close()
    partitions = sorted(
        TopicPartition(entry["topic"], partition["partition"])
        for entry in described
        for partition in entry["partitions"]
    )
    return partitions, tuple(topic for topic in topics if topic not in existing)


@dataclass
class _Replay:
    consumer: AIOKafkaConsumer
    producer: AIOKafkaProducer | None  # None: a dry run
    on_dead_letter: Callable[[DeadLetter], None] | None

    async def run(self, partitions: list[TopicPartition]) -> list[DeadLetter]:
        if not partitions:
            return []
        consumer = self.consumer
        # Assigned, not subscribed: the group only keeps the offsets (no rebalance to wait
        # for), and the end is fixed now so that a record failing again while this runs is
        # left for the next run instead of looping.
        consumer.assign(partitions)
        end = await consumer.end_offsets(partitions)
        for tp in partitions:
            committed = await consumer.committed(tp)
            if committed is None:
                await consumer.seek_to_beginning(tp)
            else:
                consumer.seek(tp, committed)
        letters: list[DeadLetter] = []
        while pending := [tp for tp in partitions if await consumer.position(tp) < end[tp]]:
            batches = await consumer.getmany(*pending, timeout_ms=500)
            for tp, records in batches.items():
                wanted = [record for record in records if record.offset < end[tp]]
                if wanted:
                    letters.extend(await self._replay_partition(tp, wanted))
        return letters

    async def _replay_partition(
        self, tp: TopicPartition, records: list[ConsumerRecord[bytes, bytes]]
    ) -> list[DeadLetter]:
        """Produce a partition's records in order, await every ack, then commit past them."""
        letters = [_dead_letter(record) for record in records]
        if self.producer is not None:
            sent = [
                await self.producer.send(
                    letter.original_topic,
                    value=record.value,
                    key=record.key,
                    headers=_original_headers(record),
                )
                for letter, record in zip(letters, records, strict=True)
            ]
            await asyncio.gather(*sent)
            await self.consumer.commit({tp: records[-1].offset + 1})
        if self.on_dead_letter is not None:
            for letter in letters:
                self.on_dead_letter(letter)
        return letters


def _header(record: ConsumerRecord[bytes, bytes], name: str) -> str | None:
    for key, value in record.headers or ():
        if key == name:
            decoded: str = value.decode(errors="replace")
            return decoded
    return None


def _original_headers(record: ConsumerRecord[bytes, bytes]) -> list[tuple[str, bytes]]:
    return [(k, v) for k, v in record.headers or () if not k.startswith(_DLQ_HEADER_PREFIX)]


def _dead_letter(record: ConsumerRecord[bytes, bytes]) -> DeadLetter:
    original = _header(record, "dlq-original-topic") or record.topic.removesuffix(
        DEAD_LETTER_SUFFIX
    )
    return DeadLetter(
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        original_topic=original,
        key=record.key,
        error_type=_header(record, "dlq-error-type") or "unknown",
        error=_header(record, "dlq-error") or "",
    )
