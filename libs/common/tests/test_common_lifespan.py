"""The app factory's lifespan: background jobs, start-up failures and readiness, without Kafka."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from fastapi import FastAPI
from pmo_common.messaging.consumed_events import ConsumedEvents
from pmo_common.messaging.tables import MessagingTables, messaging_tables
from pmo_common.problems import PROBLEM_MEDIA_TYPE
from pmo_common.settings import ServiceSettings
from pmo_common.web.app_factory import StartupHook, create_service_app
from pmo_common.web.runtime import (
    BackgroundJob,
    ServiceRuntime,
    build_runtime,
    shutdown,
    start_jobs,
)
from pmo_stack.testkit.direct_tables import engine_with_tables
from sqlalchemy import MetaData, event

# The lifespan rewires logging; every test here gets it put back.
pytestmark = pytest.mark.usefixtures("restore_logging")
WAIT = 10.0  # bound on every wait; the happy path takes milliseconds


class DemoSettings(ServiceSettings):
    service_name: ClassVar[str] = "demo"


@pytest.fixture
async def database(tmp_path: Path) -> tuple[str, MessagingTables]:
    """A SQLite file with the messaging tables, created through an async engine."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}"
    metadata = MetaData()
    tables = messaging_tables(metadata)
    engine = await engine_with_tables(url, metadata)
    await engine.dispose()
    return url, tables


def closed_port() -> int:
    """A loopback port nothing listens on (a broker that is down)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def make_app(
    url: str,
    tables: MessagingTables,
    tmp_path: Path,
    *,
    jobs: Sequence[BackgroundJob] = (),
    on_startup: StartupHook | None = None,
    **overrides: Any,
) -> FastAPI:
    settings = DemoSettings(
        **{"database_url": url, "kafka_enabled": False, "data_dir": tmp_path, **overrides}
    )
    return create_service_app(
        settings=settings, tables=tables, routers=[], jobs=jobs, on_startup=on_startup
    )


class RecordingJob:
    """A background job that notes when it starts and when it saw the stop signal."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.stopped = False
        self.runtime: ServiceRuntime | None = None

    async def __call__(self, runtime: ServiceRuntime, stop: asyncio.Event) -> None:
        self.runtime = runtime
        self.started.set()
        await stop.wait()
        self.stopped = True


async def test_jobs_run_with_kafka_disabled_and_stop_at_shutdown(
    database: tuple[str, MessagingTables], tmp_path: Path
) -> None:
    job = RecordingJob()
    app = make_app(*database, tmp_path, jobs=[job])

    async with app.router.lifespan_context(app):
        await asyncio.wait_for(job.started.wait(), WAIT)
        runtime: ServiceRuntime = app.state.runtime
        assert job.runtime is runtime
        assert not job.stopped
        # Kafka is off: the job is the only task, and no producer was ever connected.
        assert len(runtime.tasks) == 1
        assert not runtime.publisher.started

    assert job.stopped
    assert all(task.done() for task in runtime.tasks)


async def test_jobs_start_while_the_broker_is_still_unreachable(
    database: tuple[str, MessagingTables], tmp_path: Path
) -> None:
    job = RecordingJob()
    bootstrap = f"127.0.0.1:{closed_port()}"
    app = make_app(
        *database, tmp_path, jobs=[job], kafka_enabled=True, kafka_bootstrap_servers=bootstrap
    )

    async with app.router.lifespan_context(app):
        await asyncio.wait_for(job.started.wait(), WAIT)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://demo"
        ) as client:
            ready = await client.get("/readyz")
        assert ready.status_code == 503
        assert "kafka: unreachable" in ready.json()["detail"]

    # Shutdown interrupted the wait for the broker and stopped the job.
    assert job.stopped
    assert all(task.done() for task in app.state.runtime.tasks)


async def test_a_failing_startup_hook_still_disposes_the_engine_and_leaks_no_task(
    database: tuple[str, MessagingTables], tmp_path: Path
) -> None:
    job = RecordingJob()
    disposed: list[object] = []
    side_task: list[asyncio.Task[None]] = []

    async def failing_hook(runtime: ServiceRuntime) -> None:
        event.listen(runtime.engine.sync_engine, "engine_disposed", disposed.append)

        # Work the hook already started (as a service may) must be stopped too.
        async def until_stopped() -> None:
            await runtime.stop.wait()

        side_task.append(asyncio.create_task(until_stopped()))
        runtime.tasks.extend(side_task)
        raise RuntimeError("seeding failed")

    app = make_app(*database, tmp_path, jobs=[job], on_startup=failing_hook)
    before = asyncio.all_tasks()

    with pytest.raises(RuntimeError, match="seeding failed"):
        async with app.router.lifespan_context(app):
            pytest.fail("the app must not start when its start-up hook fails")

    assert len(disposed) == 1
    assert side_task[0].done()
    assert not job.started.is_set()
    assert asyncio.all_tasks() - before == set()


async def test_shutdown_cancels_a_job_that_ignores_the_stop_signal_and_waits_for_it(
    database: tuple[str, MessagingTables], tmp_path: Path
) -> None:
    url, tables = database
    cleaned_up = asyncio.Event()

    async def stubborn(runtime: ServiceRuntime, stop: asyncio.Event) -> None:
        try:
            await asyncio.sleep(3600)
        finally:
            await asyncio.sleep(0)  # unwinding takes a moment
            cleaned_up.set()

    runtime = build_runtime(
        DemoSettings(database_url=url, kafka_enabled=False), tables, ConsumedEvents()
    )
    start_jobs(runtime, [stubborn])
    await asyncio.sleep(0)

    await shutdown(runtime, timeout=0.05)

    (task,) = runtime.tasks
    assert task.cancelled()
    assert cleaned_up.is_set()


async def test_readyz_answers_200_with_the_database_checked_when_kafka_is_disabled(
    database: tuple[str, MessagingTables], tmp_path: Path
) -> None:
    app = make_app(*database, tmp_path)

    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://demo") as client,
    ):
        response = await client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok"}}


async def test_readyz_answers_503_naming_the_database_when_it_is_unreachable(
    database: tuple[str, MessagingTables], tmp_path: Path
) -> None:
    _url, tables = database
    a_directory = tmp_path / "not-a-database"
    a_directory.mkdir()
    app = make_app(f"sqlite+aiosqlite:///{a_directory}", tables, tmp_path)

    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://demo") as client,
    ):
        ready = await client.get("/readyz")
        alive = await client.get("/healthz")

    assert ready.status_code == 503
    assert ready.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert ready.headers["retry-after"] == "2"
    problem = ready.json()
    assert problem["status"] == 503
    assert problem["title"] == "Not ready"
    assert problem["instance"] == "/readyz"
    assert problem["detail"].startswith("database: unreachable")
    # Liveness does not depend on the database: restarting the process would not help.
    assert alive.status_code == 200
