"""The Kafka transport for consuming: explicit commits after the effect, dead letters on failure."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from pmo_common.messaging.event_applier import EventApplier, Failure, Outcome
from pmo_common.messaging.kafka_publisher import KafkaPublisher, OutgoingMessage
from pmo_common.messaging.topics import dead_letter_topic
from pmo_common.messaging.waiting import sleep_or_stop
from pmo_common.web.metrics import EVENTS_CONSUMED

log = logging.getLogger(__name__)
_POLL_SLICE_SECONDS = 0.25  # how long one getmany may block while backing off (stop latency)


Lane = list[tuple[TopicPartition, list[ConsumerRecord]]]
"""Partitions of one poll applied one after the other, each with its records."""


def lanes_of(batches: Mapping[TopicPartition, list[ConsumerRecord]]) -> list[Lane]:
    """A poll's partitions grouped by partition number, in the order the poll gave them."""
    lanes: dict[int, Lane] = {}
    for tp, records in batches.items():
        lanes.setdefault(tp.partition, []).append((tp, records))
    return list(lanes.values())


@dataclass(kw_only=True, eq=False)
class KafkaEventConsumer:
    """Consumes the applier's topics in a consumer group, at least once, in order per key."""

    bootstrap_servers: str
    group_id: str
    applier: EventApplier
    dead_letters: KafkaPublisher
    max_records: int = 500
    """At most this many records per poll; each partition's share is applied as one batch."""
    commit_timeout_seconds: float = 60.0
    partitions_in_flight: int = 4
    """How many lanes of a poll (see `_apply_poll`) are applied at once; 1 on SQLite."""
    running: bool = field(default=False, init=False)
    _consumer: AIOKafkaConsumer | None = field(default=None, init=False)
    _polling: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)
    _backing_off: int = field(default=0, init=False)  # lanes in `_back_off_polling` now
    _paused: set[TopicPartition] = field(default_factory=set, init=False)  # by the back-off

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until `stop` is set; reconnects after broker failures."""
        while not stop.is_set():
            try:
                await self._consume_until(stop)
            except Exception:
                log.exception("consumer failed; reconnecting")
                await sleep_or_stop(stop, 2.0)
            finally:
                await self._close()

    async def _consume_until(self, stop: asyncio.Event) -> None:
        consumer = AIOKafkaConsumer(
            *self.applier.event_types,
            bootstrap_servers=self.bootstrap_servers,
            group_id=self.group_id,
            client_id=self.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
            metadata_max_age_ms=30000,
        )
        self._consumer = consumer
        await consumer.start()
        if not self.dead_letters.started:
            await self.dead_letters.start()
        self.running = True
        while not stop.is_set():
            batches = await consumer.getmany(timeout_ms=500, max_records=self.max_records)
            if batches:
                await self._apply_poll(consumer, batches, stop)

    async def _apply_poll(
        self,
        consumer: AIOKafkaConsumer,
        batches: Mapping[TopicPartition, list[ConsumerRecord]],
        stop: asyncio.Event,
    ) -> None:
        """Apply one poll's records, several lanes at once, then commit what was applied.

        A lane holds the poll's partitions of one number, across topics: every topic has the
        same partition count and Kafka hashes a key to the same number on each, so one key's
        events (one project's) are never applied concurrently, and a partition's records keep
        their order. Up to `partitions_in_flight` lanes run side by side (one on SQLite, whose
        single writer would only make them queue), each partition's records in a transaction
        of their own: a handler waiting on the database no longer holds up the other lanes.
        """
        slots = asyncio.Semaphore(1 if self.applier.single_writer else self.partitions_in_flight)

        async def apply_lane(lane: Lane) -> dict[TopicPartition, int]:
            applied: dict[TopicPartition, int] = {}
            async with slots:
                for tp, records in lane:
                    if tp not in consumer.assignment():
                        continue  # revoked during this poll: the new owner will read these
                    done = await self._apply_partition(consumer, tp, records, stop)
                    if done is not None:
                        applied[tp] = done.offset + 1
            return applied

        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(apply_lane(lane)) for lane in lanes_of(batches)]
        offsets = {
            tp: offset
            for task in tasks
            for tp, offset in task.result().items()
            if tp in consumer.assignment()
        }
        # Commit after the effects (and after dead letters are acknowledged), and only for
        # partitions we still own, so a rebalance never loses or skips a record; a crash before
        # this line redelivers records whose effects the processed-event table then skips.
        if offsets:
            # Bounded: a commit caught in a broker restart has been seen to retry forever
            # against a coordinator it never finds again, the consumer silent meanwhile. Past
            # the bound the error ends this consumer and `run` builds a new one, which rejoins
            # the group; the uncommitted records come again and are skipped as processed.
            async with asyncio.timeout(self.commit_timeout_seconds):
                await consumer.commit(offsets)

    async def _apply_partition(
        self,
        consumer: AIOKafkaConsumer,
        tp: TopicPartition,
        records: list[ConsumerRecord],
        stop: asyncio.Event,
    ) -> ConsumerRecord | None:
        """Apply a partition's records of one poll; the last one settled (to commit past)."""

        async def wait(seconds: float) -> bool:
            return await self._back_off_polling(consumer, tp, stop, seconds)

        # One transaction for the partition's records (a poison event among them makes the
        # applier fall back to one by one, so only it is dead-lettered).
        results = await self.applier.apply_batch([record.value for record in records], wait=wait)
        done: ConsumerRecord | None = None
        for record, (outcome, failure) in zip(records, results, strict=True):
            if outcome is Outcome.INTERRUPTED:
                # Stopping (or the partition went to another member) while an outage held this
                # record: it was not applied, so neither it nor anything behind it (order per
                # key) may be committed; whoever reads the partition next starts from it.
                break
            if outcome is Outcome.DEAD_LETTERED and failure is not None:
                await self._dead_letter(record, failure)
            EVENTS_CONSUMED.labels(topic=record.topic, outcome=outcome.value).inc()
            done = record
        return done

    async def _back_off_polling(
        self, consumer: AIOKafkaConsumer, tp: TopicPartition, stop: asyncio.Event, seconds: float
    ) -> bool:
        """Back off while an outage holds a record of `tp`, still polling the broker.

        Only getmany tells aiokafka the member is alive: without a call for
        `max_poll_interval_ms` it leaves the group, and the partition would go to another
        member while this one still holds its record. So every assigned partition is paused
        (nothing is fetched, the offsets stay where they are) and getmany is called in short
        slices; the stop signal or the loss of `tp` ends the wait at once (False).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        self._backing_off += 1
        try:
            while True:
                # Lanes may back off side by side: one getmany at a time among them.
                async with self._polling:
                    remaining = deadline - loop.time()
                    if stop.is_set() or tp not in consumer.assignment():
                        return False
                    if remaining <= 0:
                        return True
                    fresh = consumer.assignment() - consumer.paused()
                    consumer.pause(*fresh)
                    self._paused |= fresh
                    slice_ms = max(1, int(min(remaining, _POLL_SLICE_SECONDS) * 1000))
                    batches = await consumer.getmany(timeout_ms=slice_ms)
                for other, got in batches.items():
                    # Not paused when fetched (assigned since, or being applied by another
                    # lane): read these again later, from the first one.
                    if got and other in consumer.assignment():
                        consumer.seek(other, got[0].offset)
        finally:
            # Fetching resumes once the last lane stops backing off.
            self._backing_off -= 1
            if not self._backing_off:
                consumer.resume(*(self._paused & consumer.assignment()))
                self._paused.clear()

    @property
    def status(self) -> str:
        """For the readiness probe: "ok", "not yet consuming" or "waiting for … since …"."""
        if not self.running:
            return "not yet consuming"
        waiting = self.applier.waiting
        return "ok" if waiting is None else waiting.describe()

    async def _dead_letter(self, record: ConsumerRecord, failure: Failure) -> None:
        log.error(
            "dead-lettering record: %s",
            failure.error,
            extra={"topic": record.topic},
        )
        headers = (
            *(record.headers or ()),
            ("dlq-error", failure.error[:4000].encode()),
            ("dlq-error-type", failure.error_type.encode()),
            ("dlq-original-topic", record.topic.encode()),
            ("dlq-original-partition", str(record.partition).encode()),
            ("dlq-original-offset", str(record.offset).encode()),
            ("dlq-consumer-group", self.group_id.encode()),
            ("dlq-failed-at", datetime.now(UTC).isoformat().encode()),
        )
        key = record.key.decode(errors="replace") if record.key is not None else None
        await self.dead_letters.publish(
            OutgoingMessage(dead_letter_topic(record.topic), key, record.value or b"", headers)
        )

    async def _close(self) -> None:
        self.running = False
        if self._consumer is not None:
            consumer, self._consumer = self._consumer, None
            try:
                await consumer.stop()
            except Exception:
                log.exception("consumer stop failed")
