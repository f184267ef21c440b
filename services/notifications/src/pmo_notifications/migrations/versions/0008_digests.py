"""Digests (ADR 0018): portfolios and their managers, standards' recovery actions, and one claim
per recipient and period (unique), so each digest goes out once across replicas."""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    op.create_table(
        "portfolios",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("owner", sa.String(320), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_portfolios_owner", "portfolios", ["owner"])
    op.create_table(
        "intervention_actions",
        sa.Column("action_id", sa.String(64), primary_key=True),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("intervention_id", sa.String(64), nullable=False),
        sa.Column("title", sa.String(400), nullable=True),
        sa.Column("owner", sa.String(320), nullable=True),
        sa.Column("due_date", sa.Date, nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_intervention_actions_project_id", "intervention_actions", ["project_id"])
    op.create_table(
        "digests_sent",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("period", sa.String(20), nullable=False),
        sa.Column("period_key", sa.String(16), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("nothing_to_report", sa.Boolean, nullable=False),
    )
    op.create_index(
        "ux_digests_sent_once",
        "digests_sent",
        ["recipient", "period", "period_key"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_table("digests_sent")
    op.drop_table("intervention_actions")
    op.drop_table("portfolios")
