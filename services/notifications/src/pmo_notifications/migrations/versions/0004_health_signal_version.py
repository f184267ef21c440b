"""The projection keeps the report date and monitoring's health version of the newest health
signal applied, beside its sent time (0002).

A signal is newer when its (as_of, health_version) is, a missing version counting as older than
any version of the same as_of; the sent time only separates signals equal on both. A replayed or
re-sent at-risk signal is then recognised as stale even when it was sent again later.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("health_as_of", sa.Date, nullable=True))
        batch.add_column(sa.Column("health_version", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("health_version")
        batch.drop_column("health_as_of")
