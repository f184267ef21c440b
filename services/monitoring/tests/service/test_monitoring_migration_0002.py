"""Migration 0002 keeps existing rows: projects get an empty profile, announcements carry over."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from alembic import command
from pmo_common.db.migrations import alembic_config
from pmo_monitoring.migrate import MIGRATIONS, migrate
from pmo_stack.testkit.old_schema import sqlite_at_revision
from sqlalchemy import column, insert, inspect, table, text

PROJECT = {
    "id": "p-1",
    "name": "Old project",
    "manager": "ada@example.com",
    "methodology": "waterfall",
    "start_date": date(2026, 1, 1),
    "end_date": date(2026, 12, 31),
    "budget": 1000.0,
    "currency": "EUR",
    "milestones": "[]",
    "status": "active",
    "version": 1,
    "projected_at": datetime(2026, 2, 1, tzinfo=UTC),
}


def test_upgrade_from_0001_keeps_rows_and_downgrade_restores_them(tmp_path: Path) -> None:
    url, engine = sqlite_at_revision(tmp_path, MIGRATIONS, "0001")
    with engine.begin() as connection:
        projects = table("monitored_projects", *(column(name) for name in PROJECT))
        connection.execute(insert(projects), PROJECT)
        connection.execute(
            text(
                "INSERT INTO overdue_notices (project_id, period, due_date, published_at) "
                "VALUES ('p-1', 3, '2026-02-12', '2026-03-01 00:00:00')"
            )
        )

    migrate(url)
    with engine.connect() as connection:
        profile = connection.scalar(text("SELECT planned_value_profile FROM monitored_projects"))
        announced = connection.execute(
            text("SELECT project_id, period FROM overdue_announcements")
        ).all()
        tables = set(inspect(connection).get_table_names())
    assert profile == "[]"
    assert [tuple(row) for row in announced] == [("p-1", 3)]
    assert {"health_snapshots", "overdue_announcements"} <= tables
    assert "overdue_notices" not in tables

    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO overdue_announcements (project_id, period, due_date, published_at) "
                "VALUES ('p-1', 4, '2026-02-26', '2026-03-15 00:00:00')"
            )
        )
    command.downgrade(alembic_config(MIGRATIONS, url), "0001")
    with engine.connect() as connection:
        kept = connection.execute(text("SELECT project_id, period FROM overdue_notices")).all()
        tables = set(inspect(connection).get_table_names())
        project_columns = {c["name"] for c in inspect(connection).get_columns("monitored_projects")}
    engine.dispose()
    assert [tuple(row) for row in kept] == [("p-1", 4)]
    assert not {"health_snapshots", "overdue_announcements"} & tables
    assert "planned_value_profile" not in project_columns
