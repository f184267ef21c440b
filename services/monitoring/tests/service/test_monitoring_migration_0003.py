"""Migration 0003 adds the health version: a health stored before it is version 0, so the first
assessment stored after the upgrade is version 1, and a downgrade keeps the rows."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path

from alembic import command
from pmo_common.db.engine import create_database_engine, create_session_factory
from pmo_common.db.migrations import alembic_config
from pmo_monitoring.db import health_repository as healths
from pmo_monitoring.domain.records import StoredHealth
from pmo_monitoring.migrate import MIGRATIONS, migrate
from sqlalchemy import create_engine, inspect, text

STORED_BEFORE = (
    "INSERT INTO project_health (project_id, rag, reasons, metrics, as_of, last_report_at, "
    "report_id, assessed_at) VALUES ('p-1', 'red', '[]', '{}', '2026-11-02', '2026-11-02', "
    "'r-1', '2026-11-02 10:00:00')"
)


async def store_a_new_assessment(url: str) -> int:
    """Store a new health over p-1's, as an assessment would; returns its version."""
    engine = create_database_engine(url)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            _, version = await healths.replace_health(
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
            return version
    finally:
        await engine.dispose()


def test_upgrade_starts_stored_healths_at_0_and_downgrade_keeps_them(tmp_path: Path) -> None:
    database = tmp_path / "monitoring.db"
    url = f"sqlite+aiosqlite:///{database}"
    command.upgrade(alembic_config(MIGRATIONS, url), "0002")
    engine = create_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text(STORED_BEFORE))

    migrate(url)
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT health_version FROM project_health")) == 0

    # The migrations run their own event loop, so this test is synchronous.
    assert asyncio.run(store_a_new_assessment(url)) == 1

    command.downgrade(alembic_config(MIGRATIONS, url), "0002")
    with engine.connect() as connection:
        kept = connection.execute(text("SELECT project_id, rag FROM project_health")).all()
        columns = {c["name"] for c in inspect(connection).get_columns("project_health")}
    engine.dispose()
    assert [tuple(row) for row in kept] == [("p-1", "green")]
    assert "health_version" not in columns
