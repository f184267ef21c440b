"""A commit that never completes ends the consumer (which `run` rebuilds); it does not hang."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import ConsumerRecord, TopicPartition
from pmo_common.db.engine import create_session_factory
from pmo_common.events.envelope import CloudEvent
from pmo_common.messaging.consumed_events import ConsumedEvents
from pmo_common.messaging.event_applier import EventApplier
from pmo_common.messaging.kafka_consumer import KafkaEventConsumer
from pmo_common.messaging.kafka_publisher import KafkaPublisher
from pmo_common.messaging.tables import MessagingTables
from sqlalchemy.ext.asyncio import AsyncEngine

PARTITION = TopicPartition("project.created", 0)


class CommitNeverAnswers:
    """The part of AIOKafkaConsumer the partition step uses, its commit stuck for good."""

    def __init__(self) -> None:
        self.commits_started = 0

    def assignment(self) -> set[TopicPartition]:
        return {PARTITION}

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        self.commits_started += 1
        await asyncio.Event().wait()


def a_record() -> ConsumerRecord[bytes, bytes]:
    # A type this consumer has no handler for: ignored, yet its offset is committed.
    value = CloudEvent(
        source="/pmo/intake", type="project.created", subject="p-1", data={"id": "p-1"}
    ).to_bytes()
    return ConsumerRecord(
        topic=PARTITION.topic,
        partition=PARTITION.partition,
        offset=7,
        timestamp=0,
        timestamp_type=0,
        key=b"p-1",
        value=value,
        checksum=None,
        serialized_key_size=3,
        serialized_value_size=len(value),
        headers=(),
    )


async def test_a_commit_that_never_answers_raises_once_its_bound_has_passed(
    messaging_database: tuple[AsyncEngine, MessagingTables],
) -> None:
    engine, tables = messaging_database
    applier = EventApplier(
        consumer="commit-bound",
        session_factory=create_session_factory(engine),
        tables=tables,
        handlers=ConsumedEvents(),
    )
    transport = KafkaEventConsumer(
        bootstrap_servers="127.0.0.1:1",
        group_id="commit-bound",
        applier=applier,
        dead_letters=KafkaPublisher("127.0.0.1:1", "commit-bound"),
        commit_timeout_seconds=0.2,
    )
    stuck = CommitNeverAnswers()
    step = transport._apply_poll(stuck, {PARTITION: [a_record()]}, asyncio.Event())
    # Without the bound the step waits for ever; the outer deadline then cancels it and the
    # test fails with that deadline's TimeoutError, outside `pytest.raises`.
    async with asyncio.timeout(10):
        with pytest.raises(TimeoutError):
            await step
    assert stuck.commits_started == 1
