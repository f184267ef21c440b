"""The audit trail: append-only audit_records (pmo_common.audit)."""

from pmo_common.audit.migration import create_audit_table, drop_audit_table

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    create_audit_table()


def downgrade() -> None:
    drop_audit_table()
