"""A database outage holds the consumer back; it loses nothing and dead-letters nothing.

The consumer's engine reaches the (shared, throwaway) PostgreSQL server through a TCP proxy on
127.0.0.1 that the test closes, cutting every open connection, and later reopens on the same
port: the server itself keeps running for the other tests.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from pmo_common.db.engine import create_database_engine, create_session_factory
from pmo_common.messaging.consumed_events import Consumed, ConsumedEvents
from pmo_common.messaging.event_applier import EventApplier
from pmo_common.messaging.kafka_consumer import KafkaEventConsumer
from pmo_common.messaging.topics import dead_letter_topic
from pmo_stack.ports import free_port
from pmo_stack.testkit import eventually
from pmo_stack.testkit.consuming import dead_lettering_consumer
from pmo_stack.testkit.kafka_records import (
    DEADLINE,
    Sequenced,
    committed_offsets,
    create_test_topic,
    itest_event_spec,
    partitions_of,
    produce_events,
    read_all,
    sequenced_event,
)
from pmo_stack.testkit.messaging_database import MessagingDatabase
from sqlalchemy import func, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

pytestmark = pytest.mark.integration

OUTAGE_SECONDS = 5.0


class DatabaseProxy:
    """127.0.0.1:`port` forwarded to the database server; `cut()` and `restore()` it."""

    def __init__(self, host: str, port: int) -> None:
        self.upstream = (host, port)
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._pipes: set[asyncio.Task[None]] = set()

    async def restore(self) -> None:
        self._server = await asyncio.start_server(self._pipe, "127.0.0.1", self.port)

    async def cut(self) -> None:
        """Refuse new connections and break the open ones, as a stopped server would."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()
        for pipe in list(self._pipes):
            pipe.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._pipes.add(task)
        self._writers.add(writer)
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.transport.abort()
            return
        self._writers.add(up_writer)
        try:
            await asyncio.gather(_forward(reader, up_writer), _forward(up_reader, writer))
        finally:
            for end in (writer, up_writer):
                end.transport.abort()
                self._writers.discard(end)
            self._pipes.discard(task)


async def _forward(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with suppress(ConnectionError, OSError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.transport.abort()


@asynccontextmanager
async def proxied(url: str) -> AsyncIterator[tuple[DatabaseProxy, str]]:
    parsed = make_url(url)
    proxy = DatabaseProxy(parsed.host or "127.0.0.1", parsed.port or 5432)
    await proxy.restore()
    try:
        yield (
            proxy,
            parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False),
        )
    finally:
        await proxy.cut()


@asynccontextmanager
async def outage_consumer(
    database: MessagingDatabase,
    kafka_bootstrap: str,
    topic: str,
    group: str,
    *,
    retries: dict[str, Any],
    **consumer_options: Any,
) -> AsyncIterator[tuple[DatabaseProxy, KafkaEventConsumer]]:
    """A consumer of `topic` (in `group`) whose database is reached through a proxy the test
    can cut; each event it applies adds a row to `database.applied`. `retries` are the applier's
    retry and outage backoff settings."""

    async def record_effect(session: AsyncSession, consumed: Consumed[Sequenced]) -> None:
        await session.execute(insert(database.applied).values(event_id=consumed.id))

    async with proxied(database.url) as (proxy, proxied_url):
        engine = create_database_engine(proxied_url)
        applier = EventApplier(
            consumer="itest-outage",
            session_factory=create_session_factory(engine),
            tables=database.tables,
            handlers=ConsumedEvents().add(itest_event_spec(topic), record_effect),
            **retries,
        )
        try:
            async with dead_lettering_consumer(
                kafka_bootstrap, group, applier, **consumer_options
            ) as consumer:
                yield proxy, consumer
        finally:
            await engine.dispose()


async def test_a_database_outage_mid_stream_loses_nothing_and_dead_letters_nothing(
    database: MessagingDatabase, kafka_bootstrap: str
) -> None:
    topic = await create_test_topic(kafka_bootstrap, "itest.outage")
    events = [sequenced_event(topic, f"project-{i % 6}", i) for i in range(60)]
    group = f"itest-outage-{uuid.uuid4().hex[:8]}"

    async with outage_consumer(
        database,
        kafka_bootstrap,
        topic,
        group,
        retries={
            "max_attempts": 3,
            "retry_backoff": 0.01,
            "outage_backoff": 0.1,
            "outage_backoff_max": 1.0,
        },
        max_records=5,
    ) as (proxy, consumer):
        stop = asyncio.Event()
        task = asyncio.create_task(consumer.run(stop))
        try:
            await produce_events(kafka_bootstrap, events[:30])

            async def some_applied() -> bool:
                return await database.effects() >= 10

            await eventually(some_applied, what="the first events are applied", within=DEADLINE)

            await proxy.cut()
            cut_at = asyncio.get_running_loop().time()
            await produce_events(kafka_bootstrap, events[30:])

            async def waiting_for_the_database() -> bool:
                return consumer.status.startswith("waiting for the database since ")

            await eventually(
                waiting_for_the_database,
                what="the consumer reports it waits for the database",
                within=DEADLINE,
            )
            # What /readyz shows as the consumer check while the database is away.
            assert consumer.status != "ok"
            applied_during_the_cut = await database.effects()
            await asyncio.sleep(
                max(0.0, OUTAGE_SECONDS - (asyncio.get_running_loop().time() - cut_at))
            )
            assert consumer.status.startswith("waiting for the database since ")
            assert await database.effects() == applied_during_the_cut
            assert task.done() is False

            await proxy.restore()

            end = await _end_offsets(kafka_bootstrap, topic)

            async def committed_to_the_end() -> bool:
                return await committed_offsets(kafka_bootstrap, group, topic) == end

            await eventually(
                committed_to_the_end, what="offsets committed to the end", within=DEADLINE
            )
            assert consumer.status == "ok"
        finally:
            stop.set()
            await asyncio.wait_for(task, timeout=DEADLINE)

    applied = database.applied
    async with database.engine.connect() as connection:
        rows = (
            await connection.execute(
                select(applied.c.event_id, func.count()).group_by(applied.c.event_id)
            )
        ).all()
    counts = {row[0]: row[1] for row in rows}
    assert sorted(counts) == sorted(e.id for e in events)
    assert set(counts.values()) == {1}
    assert await database.processed() == len(events)
    assert await read_all(kafka_bootstrap, dead_letter_topic(topic)) == []


async def _end_offsets(bootstrap: str, topic: str) -> dict[int, int]:
    """The end offset of every partition that holds records (committed offsets of the rest
    stay absent)."""
    partitions = await partitions_of(bootstrap, topic)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        end = await consumer.end_offsets(partitions)
    finally:
        await consumer.stop()
    return {tp.partition: offset for tp, offset in end.items() if offset > 0}


async def test_the_stop_signal_ends_the_wait_and_keeps_the_held_record(
    database: MessagingDatabase, kafka_bootstrap: str
) -> None:
    topic = await create_test_topic(kafka_bootstrap, "itest.outage-stop")
    event = sequenced_event(topic, "project-held", 1)
    group = f"itest-outage-stop-{uuid.uuid4().hex[:8]}"

    async with outage_consumer(
        database,
        kafka_bootstrap,
        topic,
        group,
        # The stop must not wait for a long backoff.
        retries={"max_attempts": 1, "outage_backoff": 0.1, "outage_backoff_max": 30.0},
    ) as (proxy, consumer):
        await proxy.cut()
        ((partition, offset),) = (await produce_events(kafka_bootstrap, [event])).values()
        stop = asyncio.Event()
        task = asyncio.create_task(consumer.run(stop))
        try:

            async def waited_a_while() -> bool:
                return consumer.status.startswith("waiting for the database since ")

            await eventually(waited_a_while, what="the consumer waits", within=DEADLINE)
            await asyncio.sleep(4.0)  # the backoff has grown past 1 s by now
        finally:
            stop.set()
            loop = asyncio.get_running_loop()
            stopping_at = loop.time()
            await asyncio.wait_for(task, timeout=DEADLINE)
            stopped_in = loop.time() - stopping_at

    assert stopped_in < 3.0, f"the stop took {stopped_in:.1f}s"
    committed = await committed_offsets(kafka_bootstrap, group, topic)
    assert committed.get(partition, 0) <= offset  # the held record is still to be read
    assert await database.effects() == 0
    assert await read_all(kafka_bootstrap, dead_letter_topic(topic)) == []
