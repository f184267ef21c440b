"""follow_ups: the ids of each project's open alerts (notifications) and interventions
(standards), learnt from their events, for the links of the project page."""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    op.create_table(
        "follow_ups",
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("item_id", sa.String(36), nullable=False),
        sa.Column("project_id", sa.String(36), nullable=False),
        sa.Column("title", sa.Text, nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("kind", "item_id"),
    )
    op.create_index("ix_follow_ups_project_id", "follow_ups", ["project_id"])


def downgrade() -> None:
    op.drop_index("ix_follow_ups_project_id", table_name="follow_ups")
    op.drop_table("follow_ups")
