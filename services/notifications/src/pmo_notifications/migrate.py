"""Apply notifications' database migrations."""

from __future__ import annotations

from pathlib import Path

from pmo_common.db.migrations import upgrade_to_head

from pmo_notifications.config import get_settings

MIGRATIONS = Path(__file__).parent / "migrations"


def migrate(database_url: str | None = None) -> None:
    """Upgrade the database to the newest schema."""
    upgrade_to_head(MIGRATIONS, database_url or get_settings().database_url)
