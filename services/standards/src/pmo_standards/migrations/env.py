"""Alembic environment of the standards service."""

from pmo_common.db.migrations import run_migrations
from pmo_standards.db.tables import metadata

run_migrations(metadata)
