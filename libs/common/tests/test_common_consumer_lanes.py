"""KafkaEventConsumer._apply_poll: a poll's lanes side by side, one commit once all are applied."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiokafka import ConsumerRecord, TopicPartition
from pmo_common.db.engine import create_session_factory
from pmo_common.events.catalog import GATE_DECIDED
from pmo_common.events.envelope import CloudEvent
from pmo_common.events.payloads import GateDecided
from pmo_common.messaging.consumed_events import Consumed, ConsumedEvents, Handler
from pmo_common.messaging.event_applier import EventApplier, Outcome
from pmo_common.messaging.kafka_consumer import KafkaEventConsumer, lanes_of
from pmo_common.messaging.kafka_publisher import KafkaPublisher
from pmo_common.messaging.tables import MessagingTables, messaging_tables
from pmo_stack.testkit.applier_waits import database_down
from pmo_stack.testkit.direct_tables import engine_with_tables
from pmo_stack.testkit.fixtures import MakeDatabase
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

FIRST = TopicPartition(GATE_DECIDED.type, 0)
SECOND = TopicPartition(GATE_DECIDED.type, 1)


class PolledConsumer:
    """The part of AIOKafkaConsumer a poll in hand uses: the assignment, and the commits."""

    def __init__(self, *assigned: TopicPartition) -> None:
        self.assigned = set(assigned)
        self.commits: list[dict[TopicPartition, int]] = []

    def assignment(self) -> set[TopicPartition]:
        return self.assigned

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        self.commits.append(dict(offsets))


def a_record(tp: TopicPartition, offset: int, project: str) -> ConsumerRecord[bytes, bytes]:
    data = GateDecided(project_id=project, gate="G1", decision="approved", decided_by="pmo@x.org")
    value = CloudEvent(
        source="/pmo/standards", type=tp.topic, subject=project, data=data.model_dump()
    ).to_bytes()
    return ConsumerRecord(
        topic=tp.topic,
        partition=tp.partition,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=project.encode(),
        value=value,
        checksum=None,
        serialized_key_size=len(project),
        serialized_value_size=len(value),
        headers=(),
    )


def a_consumer(
    engine: AsyncEngine, tables: MessagingTables, handler: Handler[GateDecided]
) -> KafkaEventConsumer:
    applier = EventApplier(
        consumer="lanes",
        session_factory=create_session_factory(engine),
        tables=tables,
        handlers=ConsumedEvents().add(GATE_DECIDED, handler),
    )
    return KafkaEventConsumer(
        bootstrap_servers="127.0.0.1:1",
        group_id="lanes",
        applier=applier,
        dead_letters=KafkaPublisher("127.0.0.1:1", "lanes"),
    )


def one_record_each() -> dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]:
    """A poll: p-a's event at offset 0 of FIRST, p-b's at offset 0 of SECOND."""
    return {FIRST: [a_record(FIRST, 0, "p-a")], SECOND: [a_record(SECOND, 0, "p-b")]}


def recorder(applied: list[str]) -> Handler[GateDecided]:
    """A handler noting each event's project in `applied`, in the order they are applied."""

    async def record(session: AsyncSession, event: Consumed[GateDecided]) -> None:
        applied.append(event.payload.project_id)

    return record


@pytest.fixture
async def postgres_messaging(
    make_database: MakeDatabase,
) -> AsyncIterator[tuple[AsyncEngine, MessagingTables]]:
    """A PostgreSQL database holding only the messaging tables."""
    metadata = MetaData()
    tables = messaging_tables(metadata)
    engine = await engine_with_tables(make_database("consumer_lanes"), metadata)
    yield engine, tables
    await engine.dispose()


async def test_the_lanes_of_a_poll_are_applied_side_by_side_then_committed_once(
    postgres_messaging: tuple[AsyncEngine, MessagingTables],
) -> None:
    engine, tables = postgres_messaging
    # Each lane's handler waits for the other's: only lanes applied side by side get past.
    both_lanes = asyncio.Barrier(2)
    applied: list[str] = []

    async def meet_the_other_lane(session: AsyncSession, event: Consumed[GateDecided]) -> None:
        await both_lanes.wait()
        applied.append(event.payload.project_id)

    transport = a_consumer(engine, tables, meet_the_other_lane)
    assert not transport.applier.single_writer
    polled = PolledConsumer(FIRST, SECOND)
    poll = {FIRST: [a_record(FIRST, 4, "p-a")], SECOND: [a_record(SECOND, 9, "p-b")]}
    # A guard, not a measure: one lane at a time would wait at the barrier for ever.
    async with asyncio.timeout(60):
        await transport._apply_poll(polled, poll, asyncio.Event())
    assert sorted(applied) == ["p-a", "p-b"]
    assert polled.commits == [{FIRST: 5, SECOND: 10}]


async def test_a_partition_revoked_before_its_turn_is_neither_applied_nor_committed(
    postgres_messaging: tuple[AsyncEngine, MessagingTables],
) -> None:
    engine, tables = postgres_messaging
    applied: list[str] = []
    polled = PolledConsumer(FIRST)
    transport = a_consumer(engine, tables, recorder(applied))
    await transport._apply_poll(polled, one_record_each(), asyncio.Event())
    assert applied == ["p-a"]
    assert polled.commits == [{FIRST: 1}]


async def test_sqlite_takes_one_writer_so_its_lanes_run_one_at_a_time(
    messaging_database: tuple[AsyncEngine, MessagingTables],
) -> None:
    engine, tables = messaging_database
    applied: list[str] = []
    transport = a_consumer(engine, tables, recorder(applied))
    assert transport.applier.single_writer
    polled = PolledConsumer(FIRST, SECOND)
    await transport._apply_poll(polled, one_record_each(), asyncio.Event())
    assert applied == ["p-a", "p-b"]  # in the poll's order: lane after lane
    assert polled.commits == [{FIRST: 1, SECOND: 1}]


def test_one_partition_number_across_topics_is_one_lane() -> None:
    # A key hashes to the same partition number on every topic: one project's events of
    # different types must not be applied concurrently.
    created, updated = "project.created", "project.updated"
    poll: dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]] = {
        TopicPartition(created, 0): [],
        TopicPartition(created, 1): [],
        TopicPartition(updated, 0): [],
    }
    lanes = [[tp for tp, _ in lane] for lane in lanes_of(poll)]
    assert lanes == [
        [TopicPartition(created, 0), TopicPartition(updated, 0)],
        [TopicPartition(created, 1)],
    ]


async def test_one_lane_waiting_out_an_outage_stays_visible_while_another_lane_finishes(
    messaging_database: tuple[AsyncEngine, MessagingTables],
) -> None:
    engine, tables = messaging_database
    failures = {"p-a": 1}

    async def first_call_for_p_a_meets_an_outage(
        session: AsyncSession, event: Consumed[GateDecided]
    ) -> None:
        if failures.get(event.payload.project_id):
            failures[event.payload.project_id] -= 1
            raise database_down()

    applier = a_consumer(engine, tables, first_call_for_p_a_meets_an_outage).applier
    lane_a_waits, lane_b_done = asyncio.Event(), asyncio.Event()
    seen_while_waiting: list[str | None] = []

    async def wait(_seconds: float) -> bool:
        lane_a_waits.set()
        await lane_b_done.wait()
        seen_while_waiting.append(None if applier.waiting is None else applier.waiting.what)
        return True

    async def lane_b() -> None:
        await lane_a_waits.wait()
        await applier.apply_raw(a_record(SECOND, 0, "p-b").value)
        lane_b_done.set()

    lane_a = asyncio.create_task(applier.apply_raw(a_record(FIRST, 0, "p-a").value, wait=wait))
    async with asyncio.timeout(60):
        _, result = await asyncio.gather(lane_b(), lane_a)
    assert result == (Outcome.APPLIED, None)
    assert seen_while_waiting == ["the database"]
    assert applier.waiting is None
