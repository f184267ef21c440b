"""Alembic environment of the notifications service."""

from pmo_common.db.migrations import run_migrations
from pmo_notifications.db.tables import metadata

run_migrations(metadata)
