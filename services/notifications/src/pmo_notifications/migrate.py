"""Apply notifications' database migrations."""

from __future__ import annotations

from pathlib import Path

from pmo_common.db.migrations import ServiceMigrations

from pmo_notifications.config import get_settings

MIGRATIONS = Path(__file__).parent / "migrations"
migrate = ServiceMigrations(MIGRATIONS, get_settings)
