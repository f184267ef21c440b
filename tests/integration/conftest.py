"""A messaging database on real PostgreSQL for the outbox, consumer and shutdown suites."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from pmo_common.db.engine import create_database_engine
from pmo_common.messaging.tables import messaging_tables
from pmo_stack.testkit.messaging_database import MessagingDatabase
from sqlalchemy import Column, Integer, MetaData, String, Table


@pytest.fixture
async def database(make_database: Callable[[str], str]) -> AsyncIterator[MessagingDatabase]:
    url = make_database("messaging")
    metadata = MetaData()
    tables = messaging_tables(metadata)
    applied = Table(
        "applied",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("event_id", String(64), nullable=False),
        Column("instance", String(20), nullable=False, default="only"),
    )
    engine = create_database_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield MessagingDatabase(url, engine, tables, applied)
    await engine.dispose()
