"""Databases whose tables are created straight from SQLAlchemy metadata, without migrations,
for the tests of the shared plumbing (outbox, applier, rows, units of work)."""

from __future__ import annotations

from typing import Any

from pmo_common.db.engine import create_database_engine
from pmo_common.messaging.tables import MessagingTables, messaging_tables
from sqlalchemy import Column, MetaData, Table
from sqlalchemy.ext.asyncio import AsyncEngine


async def engine_with_tables(url: str, metadata: MetaData) -> AsyncEngine:
    """An engine on `url` whose database holds `metadata`'s tables; the caller disposes it."""
    engine = create_database_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    return engine


def messaging_with_table(name: str, *columns: Column[Any]) -> tuple[MessagingTables, Table]:
    """The shared messaging tables and one table of the caller's own (where its handlers write
    what they did), on one new metadata: the table's `.metadata`."""
    metadata = MetaData()
    return messaging_tables(metadata), Table(name, metadata, *columns)
