"""The Alembic migrations build exactly the schema db/tables.py declares."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from pmo_standards.db.tables import metadata
from pmo_standards.migrate import migrate
from sqlalchemy import create_engine, inspect


def test_migrated_schema_matches_the_table_declarations(tmp_path: Path) -> None:
    database = tmp_path / "schema.db"
    migrate(f"sqlite+aiosqlite:///{database}")
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection)
            assert compare_metadata(context, metadata) == []
            tables = set(inspect(connection).get_table_names())
    finally:
        engine.dispose()
    assert {
        "outbox_messages",
        "processed_events",
        "idempotency_keys",
        "methodologies",
        "methodology_versions",
        "projects",
        "deliverables",
        "gate_decisions",
        "practices",
    } <= tables


def test_migrating_twice_is_harmless(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'twice.db'}"
    migrate(url)
    migrate(url)
