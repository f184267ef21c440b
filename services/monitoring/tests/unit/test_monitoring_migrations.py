"""The Alembic migrations build exactly the schema the tables declare."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from pmo_monitoring.db.tables import metadata
from pmo_monitoring.migrate import migrate
from sqlalchemy import create_engine


def test_migrated_schema_matches_the_tables(tmp_path: Path) -> None:
    database = tmp_path / "monitoring.db"
    migrate(f"sqlite+aiosqlite:///{database}")
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    engine.dispose()
    assert differences == []
