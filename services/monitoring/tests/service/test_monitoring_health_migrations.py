"""The migrations that add a column to project_health keep the healths stored before them.

0003 adds the health version: a health stored before it is version 0, so the first assessment
stored after the upgrade is version 1. 0005 adds the column the upsert keeps the replaced RAG in
(null on a health stored before it), 0006 the one it keeps the replaced reasons in: a health
stored before it hands its reasons back to the first assessment stored after, so an early
warning it showed counts as under way. Each downgrade takes its column away and keeps the rows.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from alembic import command
from pmo_common.db.engine import create_database_engine, create_session_factory
from pmo_common.db.migrations import alembic_config
from pmo_monitoring.db import health_repository as healths
from pmo_monitoring.domain.records import RecordedHealth, StoredHealth
from pmo_monitoring.migrate import MIGRATIONS, migrate
from pmo_stack.testkit.old_schema import sqlite_at_revision
from sqlalchemy import Engine, column, insert, inspect, table, text

STORED_BEFORE: dict[str, Any] = {
    "project_id": "p-1",
    "rag": "red",
    "reasons": "[]",
    "metrics": "{}",
    "as_of": "2026-11-02",
    "last_report_at": "2026-11-02",
    "report_id": "r-1",
    "assessed_at": "2026-11-02 10:00:00",
}


def health_stored_at(tmp_path: Path, revision: str, **columns: Any) -> tuple[str, Engine]:
    """A SQLite database migrated up to `revision` holding p-1's red health (plus `columns`):
    its URL for `migrate`, and a synchronous engine on it."""
    url, engine = sqlite_at_revision(tmp_path, MIGRATIONS, revision)
    row = {**STORED_BEFORE, **columns}
    with engine.begin() as connection:
        connection.execute(insert(table("project_health", *(column(name) for name in row))), row)
    return url, engine


def downgraded(url: str, engine: Engine, revision: str) -> tuple[list[tuple[Any, ...]], set[str]]:
    """Downgrade to `revision`: the (project_id, rag) of each health kept, and the columns left."""
    command.downgrade(alembic_config(MIGRATIONS, url), revision)
    with engine.connect() as connection:
        kept = connection.execute(text("SELECT project_id, rag FROM project_health")).all()
        columns = {c["name"] for c in inspect(connection).get_columns("project_health")}
    engine.dispose()
    return [tuple(row) for row in kept], columns


async def store_a_new_assessment(url: str) -> RecordedHealth:
    """Store a new health over p-1's, as an assessment would; what the upsert answered."""
    engine = create_database_engine(url)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            return await healths.replace_health(
                session,
                health=StoredHealth(
                    project_id="p-1",
                    rag="green",
                    reasons=(),
                    metrics={},
                    as_of=date(2026, 11, 3),
                    last_report_at=date(2026, 11, 3),
                    report_id="r-2",
                    assessed_at=datetime.now(UTC),
                ),
            )
    finally:
        await engine.dispose()


def test_migration_0003_starts_stored_healths_at_0_and_its_downgrade_keeps_them(
    tmp_path: Path,
) -> None:
    url, engine = health_stored_at(tmp_path, "0002")

    migrate(url)
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT health_version FROM project_health")) == 0

    # The migrations run their own event loop, so this test is synchronous.
    assert asyncio.run(store_a_new_assessment(url)).version == 1

    kept, columns = downgraded(url, engine, "0002")
    assert kept == [("p-1", "green")]
    assert "health_version" not in columns


def test_migration_0005_adds_the_replaced_rag_and_its_downgrade_keeps_the_rows(
    tmp_path: Path,
) -> None:
    url, engine = health_stored_at(tmp_path, "0004", health_version=4)

    migrate(url)
    with engine.connect() as connection:
        row = connection.execute(text("SELECT rag, previous_rag FROM project_health")).one()
    assert tuple(row) == ("red", None)

    kept, columns = downgraded(url, engine, "0004")
    assert kept == [("p-1", "red")]
    assert "previous_rag" not in columns


def test_migration_0006_hands_the_reasons_stored_before_it_to_the_next_assessment(
    tmp_path: Path,
) -> None:
    warned = [{"code": "optimism_warning", "metric": "tcpi", "message": "TCPI 1.2", "rag": "amber"}]
    url, engine = health_stored_at(tmp_path, "0005", reasons=json.dumps(warned), health_version=2)

    migrate(url)
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT previous_reasons FROM project_health")) is None
    recorded = asyncio.run(store_a_new_assessment(url))
    assert (recorded.previous_rag, recorded.version) == ("red", 3)
    assert recorded.previous_reasons == tuple(warned)

    kept, columns = downgraded(url, engine, "0005")
    assert kept == [("p-1", "green")]
    assert "previous_reasons" not in columns
