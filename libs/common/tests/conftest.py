"""Fixtures the libs/common tests share."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pmo_common.db.engine import create_database_engine
from pmo_common.messaging.tables import MessagingTables, messaging_tables
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine


@pytest.fixture
async def messaging_database(tmp_path: Path) -> AsyncIterator[tuple[AsyncEngine, MessagingTables]]:
    """A SQLite file holding only the messaging tables (outbox, processed events, keys)."""
    metadata = MetaData()
    tables = messaging_tables(metadata)
    engine = create_database_engine(f"sqlite+aiosqlite:///{tmp_path / 'messaging.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield engine, tables
    await engine.dispose()
