"""Migration 0007 makes every existing portfolio's owner its first portfolio_manager member, and
announces each such membership through the outbox so the other services learn it too."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from pmo_intake.migrate import MIGRATIONS, migrate
from pmo_stack.testkit.old_schema import sqlite_at_revision
from sqlalchemy import column, insert, table, text


def test_upgrade_makes_each_owner_a_manager_and_announces_it(tmp_path: Path) -> None:
    url, engine = sqlite_at_revision(tmp_path, MIGRATIONS, "0006")
    created = datetime(2026, 3, 1, tzinfo=UTC)
    with engine.begin() as connection:
        portfolios = table(
            "portfolios", *(column(name) for name in ("id", "name", "owner", "created_at"))
        )
        connection.execute(
            insert(portfolios),
            [
                {"id": "p-1", "name": "Growth", "owner": "Olga@Example.com", "created_at": created},
                {"id": "p-2", "name": "Run", "owner": "pam@example.com", "created_at": created},
            ],
        )

    migrate(url)
    with engine.connect() as connection:
        members = connection.execute(
            text("SELECT portfolio_id, email, role, added_by FROM portfolio_members ORDER BY 1")
        ).all()
        outbox = connection.execute(
            text("SELECT topic, message_key, payload FROM outbox_messages ORDER BY id")
        ).all()
    assert [tuple(row) for row in members] == [
        ("p-1", "olga@example.com", "portfolio_manager", "migration 0007"),
        ("p-2", "pam@example.com", "portfolio_manager", "migration 0007"),
    ]
    assert [(row.topic, row.message_key) for row in outbox] == [
        ("intake.portfolio.member_added", "p-1"),
        ("intake.portfolio.member_added", "p-2"),
    ]
    first = json.loads(outbox[0].payload)
    assert first["type"] == "intake.portfolio.member_added"
    assert first["data"] == {
        **first["data"],
        "portfolio_id": "p-1",
        "email": "olga@example.com",
        "role": "portfolio_manager",
        "changed_by": "migration 0007",
    }
    engine.dispose()
