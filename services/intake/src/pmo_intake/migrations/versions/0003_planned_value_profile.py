"""Projects may carry a planned-value profile (cumulative percent of budget by date)."""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.add_column(
            sa.Column("planned_value_profile", sa.JSON, nullable=False, server_default="[]")
        )


def downgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("planned_value_profile")
