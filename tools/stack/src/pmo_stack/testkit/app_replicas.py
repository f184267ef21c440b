"""Replicas of one service app in the test's own process, sharing one real PostgreSQL database.

The exactly-once tests of the services' jobs run two `create_app(settings)` instances with their
lifespans (outbox relay, Kafka consumer, jobs) on one migrated database, as two pods of a
Deployment would, and race explicit passes of a job in both. `replicas.py` is the same idea with
uvicorn processes beside a running stack.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar, cast

import pytest
from fastapi import FastAPI
from pmo_common.db.engine import create_database_engine
from pmo_common.settings import ServiceSettings
from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from pmo_stack.smtp_sink import SmtpSink
from pmo_stack.testkit.in_process import asgi_client, running
from pmo_stack.testkit.waiting import eventually

DEADLINE = 60.0  # bound on every wait; nothing asserts on elapsed time

Settings = TypeVar("Settings", bound=ServiceSettings)


@dataclass(frozen=True)
class SharedDatabase:
    """The replicas' database: its URL for their settings, an engine for the test's own look."""

    url: str
    engine: AsyncEngine

    async def count(self, query: Any) -> int:
        """The scalar a `select(func.count())...` query answers."""
        async with self.engine.connect() as connection:
            return int(await connection.scalar(query) or 0)

    async def rows(self, query: Any) -> list[Any]:
        """The rows a query answers (tuples that also name their columns)."""
        async with self.engine.connect() as connection:
            return list((await connection.execute(query)).all())

    async def relayed(self, outbox: Table, topic: str) -> int:
        """Wait until the relays published every outbox row of `topic`; how many rows there are.

        One row per announcement is the proof that no replica which lost a claim wrote an event.
        """
        rows = select(func.count()).select_from(outbox).where(outbox.c.topic == topic)
        unsent = rows.where(outbox.c.published_at.is_(None))

        async def all_sent() -> bool:
            return await self.count(unsent) == 0

        await eventually(all_sent, what=f"the relays published every {topic}", within=DEADLINE)
        return await self.count(rows)


def database_fixture(name: str, migrate: Callable[[str], object]) -> object:
    """A fixture for a test module to name `database`: a fresh PostgreSQL database named after
    `name`, migrated by the service's `migrate`, as a `SharedDatabase`."""

    @pytest.fixture
    async def database(make_database: Callable[[str], str]) -> AsyncIterator[SharedDatabase]:
        url = make_database(name)
        # Alembic runs through asyncio.run, so it needs a thread with no running event loop.
        await asyncio.to_thread(migrate, url)
        engine = create_database_engine(url)
        try:
            yield SharedDatabase(url, engine)
        finally:
            await engine.dispose()

    return database


def replicas_fixture(
    create_app: Callable[[Settings], FastAPI], settings_class: type[Settings], **values: Any
) -> object:
    """A fixture for a test module to name `replicas`: two apps of the service on the module's
    `database` and the session's Kafka broker, lifespans running and consumers ready; `values`
    are the rest of their settings (see `replica_settings`)."""

    @pytest.fixture
    async def replicas(
        database: SharedDatabase, kafka_bootstrap: str, tmp_path: Path
    ) -> AsyncIterator[list[FastAPI]]:
        settings = replica_settings(
            settings_class, database, tmp_path, kafka_bootstrap=kafka_bootstrap, **values
        )
        async with running_replicas(create_app, settings) as apps:
            yield apps

    return replicas


def replica_settings(
    settings_class: type[Settings],
    database: SharedDatabase,
    data_dir: Path,
    *,
    kafka_bootstrap: str | None = None,
    smtp: SmtpSink | None = None,
    count: int = 2,
    **values: Any,
) -> list[Settings]:
    """Settings of `count` replicas on `database`, each with a data dir of its own under
    `data_dir`; Kafka off unless `kafka_bootstrap` is given; e-mail sent to `smtp` if given.

    On Kafka the replicas consume the real topics as one consumer group of the test's own, which
    keeps them from taking partitions (and committing offsets) away from any other process of
    the service on the broker.
    """
    if kafka_bootstrap is not None:
        group = f"pmo-{settings_class.service_name}-itest-{uuid.uuid4().hex[:8]}"
        settings_class = _in_consumer_group(settings_class, group)
        values |= {"kafka_enabled": True, "kafka_bootstrap_servers": kafka_bootstrap}
    else:
        values |= {"kafka_enabled": False}
    if smtp is not None:
        values |= {"smtp_host": smtp.host, "smtp_port": smtp.port}
    return [
        settings_class(database_url=database.url, data_dir=data_dir / f"replica-{index}", **values)
        for index in range(count)
    ]


def _in_consumer_group(settings_class: type[Settings], group: str) -> type[Settings]:
    own_group = type(
        f"{settings_class.__name__}InGroup",
        (settings_class,),
        {"consumer_group": property(lambda _settings: group)},
    )
    return cast(type[Settings], own_group)


async def consumer_ready(app: FastAPI) -> bool:
    """The app answers /readyz with its Kafka consumer ok (it has joined its group)."""
    async with asgi_client(app) as http:
        response = await http.get("/readyz")
    return response.status_code == 200 and response.json()["checks"].get("consumer") == "ok"


@asynccontextmanager
async def running_replicas(
    create_app: Callable[[Settings], FastAPI],
    settings: Sequence[Settings],
) -> AsyncIterator[list[FastAPI]]:
    """One app per settings with its lifespan running; on Kafka, once every consumer is ready,
    so that the events a test then publishes are shared out between the replicas."""
    async with AsyncExitStack() as stack:
        apps = [await stack.enter_async_context(running(create_app(one))) for one in settings]
        consuming = [app for app, one in zip(apps, settings, strict=True) if one.kafka_enabled]
        for app in consuming:
            ready = partial(consumer_ready, app)
            await eventually(ready, what="every replica's consumer is ready", within=DEADLINE)
        yield apps


async def race(
    replicas: Sequence[FastAPI], one_pass: Callable[[FastAPI], Awaitable[object]], calls: int = 2
) -> None:
    """`calls` passes of a job in every replica, all at once: by default two, so that each
    replica races itself as well as the others."""
    await asyncio.gather(*(one_pass(app) for app in replicas for _call in range(calls)))
