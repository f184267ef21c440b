"""Interventions in projects in difficulty (interventions, intervention_actions) and lessons in
the best-practice library (practices.kind, project_id, reason_codes).
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    # Entries written before lessons existed are all practices.
    with op.batch_alter_table("practices") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(20), nullable=False, server_default="practice")
        )
        batch.add_column(sa.Column("project_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("reason_codes", sa.JSON, nullable=True))
        batch.create_index("ix_practices_project_id", ["project_id"])
    op.create_table(
        "interventions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("project_id", sa.String(64), nullable=False, index=True),
        sa.Column("open_for_project", sa.String(64), nullable=True, unique=True, index=True),
        sa.Column("project_name", sa.String(200), nullable=False),
        sa.Column("manager", sa.String(320), nullable=False),
        sa.Column("sponsor", sa.String(320), nullable=True),
        sa.Column("portfolio_id", sa.String(64), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("close_reason", sa.String(20), nullable=True),
        sa.Column("owner", sa.String(320), nullable=True, index=True),
        sa.Column("reasons", sa.JSON, nullable=False),
        sa.Column("suggested_practices", sa.JSON, nullable=False),
        sa.Column("exception_report", sa.JSON, nullable=True),
        sa.Column("decision", sa.JSON, nullable=True),
        sa.Column("recovered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("health_version", sa.Integer, nullable=True),
        sa.Column("lesson_practice_id", sa.String(36), nullable=True),
    )
    op.create_table(
        "intervention_actions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("intervention_id", sa.String(36), nullable=False, index=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("owner", sa.String(320), nullable=False),
        sa.Column("due_date", sa.Date, nullable=False, index=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("overdue_notified_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("intervention_actions")
    op.drop_table("interventions")
    with op.batch_alter_table("practices") as batch:
        batch.drop_index("ix_practices_project_id")
        batch.drop_column("reason_codes")
        batch.drop_column("project_id")
        batch.drop_column("kind")
