"""Graceful shutdown against a real Kafka broker and PostgreSQL: nothing written is lost.

The service's lifespan (built by `create_service_app`) is run in process; the last test runs
a real service under uvicorn and stops it with SIGTERM.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from fastapi import FastAPI
from pmo_common.db.engine import create_database_engine, create_session_factory
from pmo_common.events.envelope import CloudEvent
from pmo_common.messaging.event_applier import EventHandler
from pmo_common.messaging.outbox import enqueue_event
from pmo_common.messaging.tables import MessagingTables, messaging_tables
from pmo_common.messaging.topics import dead_letter_topic, ensure_topics
from pmo_common.settings import ServiceSettings
from pmo_common.web.app_factory import create_service_app
from pmo_common.web.runtime import ServiceRuntime
from pmo_stack.ports import free_port
from pmo_stack.services import ServiceProcess, migrate
from prometheus_client import REGISTRY
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

pytestmark = pytest.mark.integration

PARTITIONS = 3
DEADLINE = 60.0  # bound on every wait; nothing asserts on elapsed time
STOP_TIMEOUT = 30.0


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """The lifespan rewires the root and uvicorn loggers: put them back after each test."""
    names = ("", "uvicorn", "uvicorn.error", "uvicorn.access", "aiokafka")
    saved = {
        name: (logger.handlers[:], logger.propagate, logger.level)
        for name in names
        for logger in [logging.getLogger(name or None)]
    }
    yield
    for name, (handlers, propagate, level) in saved.items():
        logger = logging.getLogger(name or None)
        logger.handlers[:] = handlers
        logger.propagate = propagate
        logger.setLevel(level)


def settings_for(service: str, **values: Any) -> ServiceSettings:
    """Settings of a throwaway service: its name makes the consumer group unique."""

    class ItestSettings(ServiceSettings):
        service_name: ClassVar[str] = service

    return ItestSettings(**values)


@dataclass
class Database:
    url: str
    engine: AsyncEngine
    tables: MessagingTables
    applied: Table

    async def scalar(self, query: Any) -> int:
        async with self.engine.connect() as connection:
            return int(await connection.scalar(query) or 0)

    async def unsent(self) -> int:
        outbox = self.tables.outbox
        query = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
        return await self.scalar(query)

    async def processed(self) -> int:
        return await self.scalar(select(func.count()).select_from(self.tables.processed_events))

    async def applied_by(self) -> dict[str, list[str]]:
        """Event ids the handler recorded, by the instance that applied them."""
        async with self.engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(self.applied.c.event_id, self.applied.c.instance).order_by(
                        self.applied.c.id
                    )
                )
            ).all()
        by_instance: dict[str, list[str]] = {}
        for row in rows:
            by_instance.setdefault(row.instance, []).append(row.event_id)
        return by_instance


@pytest.fixture
async def database(make_database: Callable[[str], str]) -> AsyncIterator[Database]:
    url = make_database("shutdown")
    metadata = MetaData()
    tables = messaging_tables(metadata)
    applied = Table(
        "applied",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("event_id", String(64), nullable=False),
        Column("instance", String(20), nullable=False),
    )
    engine = create_database_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield Database(url, engine, tables, applied)
    await engine.dispose()


@pytest.fixture
async def topic(kafka_bootstrap: str) -> str:
    name = f"itest.shutdown.{uuid.uuid4().hex[:10]}"
    await ensure_topics(kafka_bootstrap, [name, dead_letter_topic(name)], partitions=PARTITIONS)
    return name


def an_event(topic: str, key: str, seq: int) -> CloudEvent:
    return CloudEvent(
        source="/pmo/itest", type=topic, subject=key, data={"project_id": key, "seq": seq}
    )


async def eventually(check: Callable[[], Awaitable[bool]], what: str) -> None:
    """Poll `check` with short sleeps until it holds or the deadline passes."""
    deadline = asyncio.get_running_loop().time() + DEADLINE
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"timed out waiting until {what}")
        await asyncio.sleep(0.05)


@asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[ServiceRuntime]:
    """Run the app's lifespan (start-up, then graceful shutdown on exit), bounded in time."""
    lifespan = app.router.lifespan_context(app)
    async with asyncio.timeout(DEADLINE):
        await lifespan.__aenter__()
    try:
        yield app.state.runtime
    finally:
        async with asyncio.timeout(DEADLINE):
            await lifespan.__aexit__(None, None, None)


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


async def test_shutdown_flushes_outbox_rows_the_relay_was_never_woken_for(
    database: Database, topic: str, kafka_bootstrap: str, tmp_path: Path
) -> None:
    settings = settings_for(
        f"itest-flush-{uuid.uuid4().hex[:8]}",
        database_url=database.url,
        kafka_bootstrap_servers=kafka_bootstrap,
        kafka_topic_partitions=PARTITIONS,
        # Only a wake-up or the shutdown flush can publish within this test.
        outbox_poll_interval_seconds=60.0,
        data_dir=tmp_path,
    )
    app = create_service_app(settings=settings, tables=database.tables, routers=[])
    probe = an_event(topic, "probe", 0)
    events = [an_event(topic, f"project-{i % 4}", i) for i in range(25)]

    async with serving(app) as runtime:
        # A committed write through the service's sessions wakes the relay: once the probe is
        # published the relay has finished a pass and sleeps for the (long) poll interval.
        async with runtime.sessions() as session, session.begin():
            await enqueue_event(session, database.tables, probe)
        await eventually(lambda: _unsent_is(database, 0), "the relay publishes the probe")

        # Rows written by sessions that do not wake the relay (as another process would).
        silent = create_session_factory(runtime.engine)
        for start in range(0, len(events), 10):
            async with silent() as session, session.begin():
                for event in events[start : start + 10]:
                    await enqueue_event(session, database.tables, event)
        assert await database.unsent() == len(events)

    assert await database.unsent() == 0
    published = event_ids(await read_all(kafka_bootstrap, topic))
    assert sorted(published) == sorted([probe.id, *(e.id for e in events)])


async def _unsent_is(database: Database, count: int) -> bool:
    return await database.unsent() == count


async def produce(bootstrap: str, events: list[CloudEvent]) -> dict[str, tuple[int, int]]:
    """Send the events keyed by subject; returns each event's (partition, offset)."""
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


async def committed_offsets(bootstrap: str, group: str, topic: str) -> dict[int, int]:
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


def consumed(topic: str, outcome: str) -> float:
    value = REGISTRY.get_sample_value(
        "pmo_events_consumed_total", {"topic": topic, "outcome": outcome}
    )
    return value or 0.0


async def test_a_consumer_stopped_mid_stream_commits_what_it_applied(
    database: Database, topic: str, kafka_bootstrap: str, tmp_path: Path
) -> None:
    service = f"itest-consumer-{uuid.uuid4().hex[:8]}"
    settings = settings_for(
        service,
        database_url=database.url,
        kafka_bootstrap_servers=kafka_bootstrap,
        kafka_topic_partitions=PARTITIONS,
        data_dir=tmp_path,
    )
    stop_after = 5
    first_reached = asyncio.Event()

    def recording_handler(instance: str, runtimes: list[ServiceRuntime]) -> EventHandler:
        async def record(session: AsyncSession, event: CloudEvent) -> None:
            await session.execute(
                insert(database.applied).values(event_id=event.id, instance=instance)
            )
            if instance == "first" and event.data["seq"] == stop_after:
                # Shut down while this handler is in flight: it may finish only once the
                # stop signal is out, and its transaction must still commit.
                first_reached.set()
                await runtimes[0].stop.wait()

        return record

    def instance(name: str) -> tuple[FastAPI, list[ServiceRuntime]]:
        runtimes: list[ServiceRuntime] = []
        app = create_service_app(
            settings=settings,
            tables=database.tables,
            routers=[],
            handlers={topic: recording_handler(name, runtimes)},
        )
        return app, runtimes

    # All on one key (one partition), so "the fifth event" is a point in one ordered stream.
    before = [an_event(topic, "project-a", seq) for seq in range(1, 21)]
    after = [an_event(topic, "project-a", seq) for seq in range(21, 31)]
    placed = await produce(kafka_bootstrap, before)
    duplicates_before = consumed(topic, "duplicate")

    first, first_runtimes = instance("first")
    async with serving(first) as runtime:
        first_runtimes.append(runtime)
        async with asyncio.timeout(DEADLINE):
            await first_reached.wait()
    # Exiting the lifespan set the stop signal, let the handler and its batch finish, and
    # committed their offsets before the consumer left the group.

    applied_first = (await database.applied_by())["first"]
    assert applied_first[:stop_after] == [e.id for e in before[:stop_after]]
    assert await database.processed() == len(applied_first)
    committed = await committed_offsets(kafka_bootstrap, settings.consumer_group, topic)
    (partition,) = {placed[event_id][0] for event_id in placed}
    # Committed exactly up to what was applied: nothing applied is left uncommitted (it would
    # be redelivered) and nothing unapplied is committed (it would be lost).
    assert committed[partition] == placed[applied_first[-1]][1] + 1
    assert {e.id for e in before if placed[e.id][1] < committed[partition]} == set(applied_first)

    placed.update(await produce(kafka_bootstrap, after))
    second, second_runtimes = instance("second")
    everything = before + after
    async with serving(second) as runtime:
        second_runtimes.append(runtime)
        await eventually(
            lambda: _processed_is(database, len(everything)), "the second instance catches up"
        )

    by_instance = await database.applied_by()
    applied_second = by_instance["second"]
    all_applied = applied_first + applied_second
    assert sorted(all_applied) == sorted(e.id for e in everything)  # each exactly once
    assert not set(applied_first) & set(applied_second)
    assert applied_second == [e.id for e in everything if e.id not in set(applied_first)]
    assert await database.processed() == len(everything)
    # The second instance resumed from the committed offsets: it was not even handed (and
    # then skipped as already processed) any record that the first had applied.
    assert consumed(topic, "duplicate") == duplicates_before


async def _processed_is(database: Database, count: int) -> bool:
    return await database.processed() == count


async def test_events_written_while_winding_down_are_published_before_exit(
    database: Database, topic: str, kafka_bootstrap: str, tmp_path: Path
) -> None:
    """A handler in flight at shutdown may emit an event after the relay's own last pass."""
    follow_up_topic = f"{topic}.followup"
    await ensure_topics(kafka_bootstrap, [follow_up_topic], partitions=PARTITIONS)
    settings = settings_for(
        f"itest-winddown-{uuid.uuid4().hex[:8]}",
        database_url=database.url,
        kafka_bootstrap_servers=kafka_bootstrap,
        kafka_topic_partitions=PARTITIONS,
        data_dir=tmp_path,
    )
    runtimes: list[ServiceRuntime] = []
    in_flight = asyncio.Event()
    follow_up = an_event(follow_up_topic, "project-b", 1)

    async def emit_while_winding_down(session: AsyncSession, event: CloudEvent) -> None:
        await enqueue_event(session, database.tables, follow_up)
        in_flight.set()
        runtime = runtimes[0]
        await runtime.stop.wait()
        # Hold the transaction until the relay has made its own final pass and ended, the
        # worst case of a handler (or job) that takes longer than the relay to wind down.
        (relay_task,) = [
            task
            for task in runtime.tasks
            if getattr(task.get_coro(), "__qualname__", "") == "OutboxRelay.run"
        ]
        await asyncio.wait({relay_task}, timeout=DEADLINE)
        assert relay_task.done()

    app = create_service_app(
        settings=settings,
        tables=database.tables,
        routers=[],
        handlers={topic: emit_while_winding_down},
    )
    await produce(kafka_bootstrap, [an_event(topic, "project-b", 0)])

    async with serving(app) as runtime:
        runtimes.append(runtime)
        async with asyncio.timeout(DEADLINE):
            await in_flight.wait()

    assert await database.processed() == 1
    assert await database.unsent() == 0
    assert event_ids(await read_all(kafka_bootstrap, follow_up_topic)) == [follow_up.id]


async def test_a_service_process_shuts_down_gracefully_on_sigterm(
    make_database: Callable[[str], str], kafka_bootstrap: str, tmp_path: Path
) -> None:
    env = {
        "PMO_ENVIRONMENT": "test",
        "PMO_DATA_DIR": str(tmp_path),
        "PMO_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "PMO_INTAKE_DATABASE_URL": make_database("shutdown_intake"),
        "PMO_LOG_LEVEL": "INFO",
    }
    await asyncio.to_thread(migrate, "intake", env)
    log_path = tmp_path / "intake.log"
    service = ServiceProcess("intake", env=env, log_path=log_path, port=free_port())
    service.start()
    try:
        await asyncio.to_thread(service.wait_ready, DEADLINE)
        async with httpx.AsyncClient(base_url=service.url, timeout=10) as client:
            assert (await client.get("/readyz")).status_code == 200
        process = service._proc  # stop() does not return the exit code; keep the handle
        assert process is not None
        await asyncio.to_thread(service.stop, STOP_TIMEOUT)  # SIGTERM, SIGKILL after timeout
    finally:
        service.kill()

    # uvicorn (>= 0.29) re-raises the SIGTERM it caught once its graceful shutdown is done,
    # so a clean stop ends "terminated by SIGTERM" (-15) rather than 0; the SIGKILL sent when
    # the stop timeout runs out would show as -9. The log tells a completed shutdown apart.
    text = log_path.read_text()
    assert process.returncode in (0, -signal.SIGTERM), text
    entries = _json_lines(text)
    messages = [(entry["logger"], entry["message"]) for entry in entries]
    assert messages[-5:] == [
        ("uvicorn.error", "Waiting for application shutdown."),
        ("pmo_common.web.runtime", "shutting down: stopping the consumer and background jobs"),
        ("pmo_common.web.runtime", "shutdown complete"),
        ("uvicorn.error", "Application shutdown complete."),
        ("uvicorn.error", f"Finished server process [{process.pid}]"),
    ], text
    assert ("uvicorn.error", "Shutting down") in messages
    assert all(entry["service"] == "intake" for entry in entries)
    assert not [entry for entry in entries if entry["level"] in ("ERROR", "CRITICAL")]


def _json_lines(text: str) -> list[dict[str, Any]]:
    """The log's JSON lines (uvicorn writes a few plain lines before the app configures logs)."""
    entries = []
    for line in text.splitlines():
        if line.startswith("{"):
            entries.append(json.loads(line))
    return entries
