"""Migration 0010: projects projected before it get their baseline in force as version 1, and
health stored before it says no version (it was judged before versions were kept)."""

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
    "milestones": '[{"name": "Design", "due_date": "2026-03-31"}]',
    "planned_value_profile": "[]",
    "status": "active",
    "version": 4,
    "projected_at": datetime(2026, 2, 1, tzinfo=UTC),
}
POINT = {
    "report_id": "r-1",
    "project_id": "p-1",
    "as_of": date(2026, 2, 1),
    "rag": "red",
    "reasons": "[]",
    "metrics": "{}",
    "assessed_at": datetime(2026, 2, 1, tzinfo=UTC),
}


def test_upgrade_from_0009_numbers_the_baseline_in_force_and_downgrade_drops_it(
    tmp_path: Path,
) -> None:
    url, engine = sqlite_at_revision(tmp_path, MIGRATIONS, "0009")
    with engine.begin() as connection:
        connection.execute(insert(table("monitored_projects", *map(column, PROJECT))), PROJECT)
        connection.execute(insert(table("health_snapshots", *map(column, POINT))), POINT)

    migrate(url)
    with engine.connect() as connection:
        in_force = connection.scalar(text("SELECT baseline_version FROM monitored_projects"))
        point = connection.scalar(text("SELECT baseline_version FROM health_snapshots"))
        versions = connection.execute(
            text("SELECT project_id, version, budget, end_date, milestones FROM baseline_versions")
        ).all()
    assert (in_force, point) == (1, None)
    assert [tuple(row) for row in versions] == [
        ("p-1", 1, 1000.0, "2026-12-31", '[{"name": "Design", "due_date": "2026-03-31"}]')
    ]

    command.downgrade(alembic_config(MIGRATIONS, url), "0009")
    with engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        project_columns = {c["name"] for c in inspect(connection).get_columns("monitored_projects")}
    engine.dispose()
    assert "baseline_versions" not in tables
    assert "baseline_version" not in project_columns
