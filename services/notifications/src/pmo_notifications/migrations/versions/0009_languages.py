"""Messages in the reader's language (ADR 0023): a subscription's `locale` (null: the
PMO_DEFAULT_LOCALE of the moment each message is planned, so existing subscriptions follow the
setting), and the currency the registry says a project reports in (its money in e-mails and
digests is written in it; null until intake's next project.created/updated)."""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    op.add_column("subscriptions", sa.Column("locale", sa.String(8), nullable=True))
    op.add_column("projects", sa.Column("currency", sa.String(3), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("currency")
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("locale")
