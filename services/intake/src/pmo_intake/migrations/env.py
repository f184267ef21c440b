"""Alembic environment of the intake service."""

from pmo_common.db.migrations import run_migrations
from pmo_intake.db.tables import metadata

run_migrations(metadata)
