"""Migration 0006 keeps the overdue alerts of before: each becomes an item remembered once, and a
project's active ones of a kind are merged into one (the newest), as one alert per project and
kind requires from then on."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pmo_notifications.migrate import MIGRATIONS, migrate
from pmo_stack.testkit.old_schema import sqlite_at_revision
from sqlalchemy import column, insert, table, text

COLUMNS = (
    "id",
    "project_id",
    "project_name",
    "kind",
    "deduplication_key",
    "severity",
    "status",
    "title",
    "reasons",
    "opened_at",
    "last_event_at",
)


def old_alert(alert_id: str, key: str, *, day: int, status: str = "open") -> dict[str, Any]:
    opened = datetime(2026, 3, day, tzinfo=UTC)
    return {
        "id": alert_id,
        "project_id": "p-1",
        "project_name": "Apollo",
        "kind": key.split(":")[0],
        "deduplication_key": key,
        "severity": "warning",
        "status": status,
        "title": f"alert {alert_id}",
        "reasons": '[{"code": "report_overdue", "message": "late"}]',
        "opened_at": opened,
        "last_event_at": opened,
    }


def test_upgrade_merges_active_overdue_alerts_and_remembers_every_item(tmp_path: Path) -> None:
    url, engine = sqlite_at_revision(tmp_path, MIGRATIONS, "0005")
    with engine.begin() as connection:
        alerts = table("alerts", *(column(name) for name in COLUMNS))
        connection.execute(
            insert(alerts),
            [
                old_alert("r2", "report_overdue:2", day=1, status="resolved"),
                old_alert("r3", "report_overdue:3", day=2),
                old_alert("r4", "report_overdue:4", day=3),
                old_alert("a1", "action_overdue:act-1", day=2),
                old_alert("risk", "at_risk", day=1),
            ],
        )

    migrate(url)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT id, deduplication_key, status, resolved_by FROM alerts ORDER BY id")
        ).all()
        items = connection.execute(
            text("SELECT item_key, alert_id, period FROM alert_items ORDER BY item_key")
        ).all()
    assert [tuple(row) for row in rows] == [
        ("a1", "action_overdue", "open", None),
        ("r2", "report_overdue:2", "resolved", None),
        ("r3", "report_overdue:3", "resolved", "system"),  # merged into the newest
        ("r4", "report_overdue", "open", None),
        ("risk", "at_risk", "open", None),
    ]
    assert [tuple(row) for row in items] == [
        ("action_overdue:act-1", "a1", None),
        ("report_overdue:2", "r2", 2),
        ("report_overdue:3", "r3", 3),
        ("report_overdue:4", "r4", 4),
    ]
    engine.dispose()
