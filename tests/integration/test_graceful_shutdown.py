"""Graceful shutdown against a real Kafka broker and PostgreSQL: nothing written is lost.

The service's lifespan (built by `create_service_app`) is run in process; the last test runs
a real service under uvicorn and stops it with SIGTERM.
"""

from __future__ import annotations

import asyncio
import json
import signal
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from fastapi import FastAPI
from pmo_common.db.engine import create_session_factory
from pmo_common.messaging.consumed_events import Consumed, ConsumedEvents, Handler
from pmo_common.messaging.topics import ensure_topics
from pmo_common.settings import ServiceSettings
from pmo_common.web.app_factory import create_service_app
from pmo_common.web.runtime import ServiceRuntime
from pmo_stack.ports import free_port
from pmo_stack.services import ServiceProcess, migrate
from pmo_stack.testkit import eventually
from pmo_stack.testkit.kafka_records import (
    DEADLINE,
    PARTITIONS,
    Sequenced,
    committed_offsets,
    create_test_topic,
    ids_on,
    itest_event_spec,
    produce_events,
    sequenced_event,
)
from pmo_stack.testkit.messaging_database import MessagingDatabase
from prometheus_client import REGISTRY
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

# The lifespan rewires logging; every test here gets it put back.
pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("restore_logging")]

STOP_TIMEOUT = 30.0


def settings_for(service: str, **values: Any) -> ServiceSettings:
    """Settings of a throwaway service: its name makes the consumer group unique."""

    class ItestSettings(ServiceSettings):
        service_name: ClassVar[str] = service

    return ItestSettings(**values)


@pytest.fixture
async def topic(kafka_bootstrap: str) -> str:
    return await create_test_topic(kafka_bootstrap, "itest.shutdown")


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


async def test_shutdown_flushes_outbox_rows_the_relay_was_never_woken_for(
    database: MessagingDatabase, topic: str, kafka_bootstrap: str, tmp_path: Path
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
    probe = sequenced_event(topic, "probe", 0)
    events = [sequenced_event(topic, f"project-{i % 4}", i) for i in range(25)]

    async with serving(app) as runtime:
        # A committed write through the service's sessions wakes the relay: once the probe is
        # published the relay has finished a pass and sleeps for the (long) poll interval.
        async with runtime.sessions() as session, session.begin():
            await database.outbox.enqueue_envelope(session, probe)
        await eventually(
            lambda: _unsent_is(database, 0), what="the relay publishes the probe", within=DEADLINE
        )

        # Rows written by sessions that do not wake the relay (as another process would).
        silent = create_session_factory(runtime.engine)
        for start in range(0, len(events), 10):
            async with silent() as session, session.begin():
                for event in events[start : start + 10]:
                    await database.outbox.enqueue_envelope(session, event)
        assert await database.unsent() == len(events)

    assert await database.unsent() == 0
    published = await ids_on(kafka_bootstrap, topic)
    assert sorted(published) == sorted([probe.id, *(e.id for e in events)])


async def _unsent_is(database: MessagingDatabase, count: int) -> bool:
    return await database.unsent() == count


def consumed(topic: str, outcome: str) -> float:
    value = REGISTRY.get_sample_value(
        "pmo_events_consumed_total", {"topic": topic, "outcome": outcome}
    )
    return value or 0.0


async def test_a_consumer_stopped_mid_stream_commits_what_it_applied(
    database: MessagingDatabase, topic: str, kafka_bootstrap: str, tmp_path: Path
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

    def recording_handler(instance: str, runtimes: list[ServiceRuntime]) -> Handler[Sequenced]:
        async def record(session: AsyncSession, event: Consumed[Sequenced]) -> None:
            await session.execute(
                insert(database.applied).values(event_id=event.id, instance=instance)
            )
            if instance == "first" and event.payload.seq == stop_after:
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
            handlers=ConsumedEvents().add(
                itest_event_spec(topic), recording_handler(name, runtimes)
            ),
        )
        return app, runtimes

    # All on one key (one partition), so "the fifth event" is a point in one ordered stream.
    before = [sequenced_event(topic, "project-a", seq) for seq in range(1, 21)]
    after = [sequenced_event(topic, "project-a", seq) for seq in range(21, 31)]
    placed = await produce_events(kafka_bootstrap, before)
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

    placed.update(await produce_events(kafka_bootstrap, after))
    second, second_runtimes = instance("second")
    everything = before + after
    async with serving(second) as runtime:
        second_runtimes.append(runtime)
        await eventually(
            lambda: _processed_is(database, len(everything)),
            what="the second instance catches up",
            within=DEADLINE,
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


async def _processed_is(database: MessagingDatabase, count: int) -> bool:
    return await database.processed() == count


async def test_events_written_while_winding_down_are_published_before_exit(
    database: MessagingDatabase, topic: str, kafka_bootstrap: str, tmp_path: Path
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
    follow_up = sequenced_event(follow_up_topic, "project-b", 1)

    async def emit_while_winding_down(session: AsyncSession, event: Consumed[Sequenced]) -> None:
        await database.outbox.enqueue_envelope(session, follow_up)
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
        handlers=ConsumedEvents().add(itest_event_spec(topic), emit_while_winding_down),
    )
    await produce_events(kafka_bootstrap, [sequenced_event(topic, "project-b", 0)])

    async with serving(app) as runtime:
        runtimes.append(runtime)
        async with asyncio.timeout(DEADLINE):
            await in_flight.wait()

    assert await database.processed() == 1
    assert await database.unsent() == 0
    assert await ids_on(kafka_bootstrap, follow_up_topic) == [follow_up.id]


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
