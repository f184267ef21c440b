"""Every service's Alembic migrations build exactly the tables its code declares, on SQLite and
on PostgreSQL, and applying them again changes nothing."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from pmo_common.db.engine import create_database_engine
from pmo_stack.services import SERVICES
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection

pytestmark = pytest.mark.integration


def schema_differences(service: str, async_url: str) -> list[Any]:
    """Migrate the database to head, then compare it with the service's declared tables."""
    migrate: Callable[[str], None] = importlib.import_module(f"pmo_{service}.migrate").migrate
    metadata: MetaData = importlib.import_module(f"pmo_{service}.db.tables").metadata
    migrate(async_url)
    migrate(async_url)  # a second run must find nothing to do

    def compare(connection: Connection) -> list[Any]:
        return list(compare_metadata(MigrationContext.configure(connection), metadata))

    async def differences() -> list[Any]:
        engine = create_database_engine(async_url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(compare)
        finally:
            await engine.dispose()

    return asyncio.run(differences())


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_migrations_match_the_tables_on_sqlite(service: str, tmp_path: Path) -> None:
    assert schema_differences(service, f"sqlite+aiosqlite:///{tmp_path / service}.db") == []


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_migrations_match_the_tables_on_postgresql(
    service: str, make_database: Callable[[str], str]
) -> None:
    assert schema_differences(service, make_database(f"drift_{service}")) == []
