"""The projection remembers when monitoring sent the newest health signal of each project.

project.at_risk and project.recovered travel on two topics, so Kafka does not order them with
each other: a recovery may be consumed before the at-risk event it follows. Keeping the newest
signal's time lets a stale one be recognised and left alone.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("health_signal_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("health_signal_at")
