"""A per-project health version, one higher for every assessment stored, carried by the health
events so that consumers can tell a stale event (a replay, a re-send) from news.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    # Rows stored before versions existed start at 0: their next assessment is version 1.
    with op.batch_alter_table("project_health") as batch:
        batch.add_column(
            sa.Column("health_version", sa.Integer, nullable=False, server_default=sa.text("0"))
        )


def downgrade() -> None:
    with op.batch_alter_table("project_health") as batch:
        batch.drop_column("health_version")
