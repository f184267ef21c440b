"""Database engine, sessions and migrations for a service's own database."""

# The column helpers are what every db/tables.py imports, so they are reachable from here.
from pmo_common.db.columns import (
    email_column,
    id_column,
    json_column,
    timestamp_column,
    version_column,
)

__all__ = ["email_column", "id_column", "json_column", "timestamp_column", "version_column"]
