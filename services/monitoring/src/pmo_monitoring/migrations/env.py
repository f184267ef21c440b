"""Alembic environment of the monitoring service."""

from pmo_common.db.migrations import run_migrations
from pmo_monitoring.db.tables import metadata

run_migrations(metadata)
