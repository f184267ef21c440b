"""The RAID register: risks, assumptions, issues, decisions and dependencies (raid_items)."""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"


def upgrade() -> None:
    op.create_table(
        "raid_items",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("project_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=True),
        sa.Column("owner", sa.String(320), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("probability", sa.Float, nullable=True),
        sa.Column("impact", sa.Integer, nullable=True),
        sa.Column("response", sa.Text, nullable=True),
        sa.Column("severity", sa.String(20), nullable=True),
        sa.Column("due_date", sa.Date, nullable=True),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column("decided_on", sa.Date, nullable=True),
        sa.Column("depends_on_project_id", sa.String(36), nullable=True),
        sa.Column("needed_by", sa.Date, nullable=True),
        sa.Column("created_by", sa.String(320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_raid_items_depends_on_project_id", "raid_items", ["depends_on_project_id"])
    op.create_index("ix_raid_items_listing", "raid_items", ["project_id", "kind", "status"])


def downgrade() -> None:
    op.drop_index("ix_raid_items_listing", table_name="raid_items")
    op.drop_index("ix_raid_items_depends_on_project_id", table_name="raid_items")
    op.drop_table("raid_items")
