"""Databases whose tables are created straight from SQLAlchemy metadata, without migrations,
for the tests of the shared plumbing (outbox, applier, rows, units of work)."""

from __future__ import annotations

from pmo_common.db.engine import create_database_engine
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine


async def engine_with_tables(url: str, metadata: MetaData) -> AsyncEngine:
    """An engine on `url` whose database holds `metadata`'s tables; the caller disposes it."""
    engine = create_database_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    return engine
