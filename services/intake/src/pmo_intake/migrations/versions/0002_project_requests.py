"""Project requests (demand) waiting for a PMO decision."""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "project_requests",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("business_case", sa.Text, nullable=True),
        sa.Column("requested_by", sa.String(320), nullable=False, index=True),
        sa.Column("proposal", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("decided_by", sa.String(320), nullable=True),
        sa.Column("decision_comment", sa.Text, nullable=True),
        sa.Column("project_id", sa.String(36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("project_requests")
