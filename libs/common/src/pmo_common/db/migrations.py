"""Alembic wiring shared by every service: one env.py body, one upgrade entry point."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection

from pmo_common.db.engine import create_database_engine
from pmo_common.settings import ServiceSettings


def alembic_config(script_location: Path, database_url: str) -> Config:
    """An Alembic config built in code, so no alembic.ini has to be found at run time."""
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_to_head(script_location: Path, database_url: str) -> None:
    """Apply every migration of a service to the database."""
    command.upgrade(alembic_config(script_location, database_url), "head")


@dataclass(frozen=True, slots=True)
class ServiceMigrations:
    """A service's `migrate`: its migrations folder, applied to its configured database."""

    location: Path
    settings: Callable[[], ServiceSettings]

    def __call__(self, database_url: str | None = None) -> None:
        """Upgrade the database (the configured one unless a URL is given) to the newest schema."""
        upgrade_to_head(self.location, database_url or self.settings().database_url)


def run_migrations(target_metadata: MetaData) -> None:
    """The body of a service's migrations/env.py (online mode, async engine)."""
    url = context.config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("no database URL configured for migrations")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_online(url, target_metadata))


async def _run_online(url: str, target_metadata: MetaData) -> None:
    engine = create_database_engine(url)
    async with engine.connect() as connection:
        await connection.run_sync(_run_sync, target_metadata)
        await connection.commit()
    await engine.dispose()


def _run_sync(connection: Connection, target_metadata: MetaData) -> None:
    # Batch mode lets ALTER-style migrations work on SQLite too.
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
