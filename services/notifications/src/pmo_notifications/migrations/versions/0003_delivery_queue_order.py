"""Each delivery attempt carries when its message was planned, so a target receives one
project's messages in the order they were planned, and re-sends can be chosen by that time.

Every attempt of a message copies its first attempt's `created_at`; existing rows are filled
that way before the column becomes required.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("planned_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE deliveries SET planned_at = (SELECT MIN(earliest.created_at)"
        " FROM deliveries AS earliest WHERE earliest.message_id = deliveries.message_id)"
    )
    with op.batch_alter_table("deliveries") as batch:
        batch.alter_column("planned_at", existing_type=sa.DateTime(timezone=True), nullable=False)
    op.create_index(
        "ix_deliveries_project_queue", "deliveries", ["project_id", "status", "planned_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_deliveries_project_queue", table_name="deliveries")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("planned_at")
