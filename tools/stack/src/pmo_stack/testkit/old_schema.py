"""A service's database as an older release left it, for tests of the migrations after that.

The migrations run their own event loop, so the tests that use this are synchronous.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from pmo_common.db.migrations import alembic_config
from sqlalchemy import Engine, create_engine


def sqlite_at_revision(tmp_path: Path, migrations: Path, revision: str) -> tuple[str, Engine]:
    """A SQLite file in `tmp_path` migrated only up to `revision`.

    Returns its URL as the service reads it (for `migrate`) and a synchronous engine on it,
    to write the rows the old schema holds and read what the newer migrations made of them.
    """
    database = tmp_path / "old_schema.db"
    url = f"sqlite+aiosqlite:///{database}"
    command.upgrade(alembic_config(migrations, url), revision)
    return url, create_engine(f"sqlite:///{database}")
