"""The migration operations creating (and dropping) a service's audit trail table."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def create_audit_table() -> None:
    """Create audit_records and its indexes (see pmo_common.audit.trail.audit_table)."""
    op.create_table(
        "audit_records",
        sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_subject", sa.String(320), nullable=False),
        sa.Column("actor_email", sa.String(320), nullable=True),
        sa.Column("actor_roles", sa.JSON, nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("resource_type", sa.String(64), nullable=False),
        sa.Column("resource_id", sa.String(200), nullable=False),
        sa.Column("changes", sa.JSON, nullable=False),
        sa.Column("correlation_id", sa.String(200), nullable=True),
    )
    op.create_index("ix_audit_records_recorded_at", "audit_records", ["recorded_at"])
    op.create_index("ix_audit_records_resource_id", "audit_records", ["resource_id"])
    op.create_index("ix_audit_records_actor_subject", "audit_records", ["actor_subject"])
    op.create_index("ix_audit_records_actor_email", "audit_records", ["actor_email"])


def drop_audit_table() -> None:
    """Drop audit_records."""
    for column in ("actor_email", "actor_subject", "resource_id", "recorded_at"):
        op.drop_index(f"ix_audit_records_{column}", table_name="audit_records")
    op.drop_table("audit_records")
