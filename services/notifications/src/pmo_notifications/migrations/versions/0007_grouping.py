"""Grouped deliveries per subscription (ADR 0017, issue 10).

Subscriptions gain their grouping window (0, 0 for every existing one: each delivery at once).
An event's delivery to a grouping subscription is recorded as `grouped`, in its group
(`group_id`), until the group's one delivery takes it (`grouped_into`, that delivery's message
id). `delivery_groups` keeps when each group last went out and may go out again.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"

_WAITING_IN_GROUP = "status = 'grouped' AND grouped_into IS NULL"


def upgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch:
        batch.add_column(
            sa.Column("group_wait_seconds", sa.Integer, nullable=False, server_default=sa.text("0"))
        )
        batch.add_column(
            sa.Column(
                "group_interval_seconds", sa.Integer, nullable=False, server_default=sa.text("0")
            )
        )
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("group_id", sa.String(36), nullable=True))
        batch.add_column(sa.Column("grouped_into", sa.String(64), nullable=True))
    op.create_index(
        "ix_deliveries_waiting_in_group",
        "deliveries",
        ["group_id", "next_attempt_at"],
        sqlite_where=sa.text(_WAITING_IN_GROUP),
        postgresql_where=sa.text(_WAITING_IN_GROUP),
    )
    op.create_table(
        "delivery_groups",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("subscription_id", sa.String(36), nullable=False),
        sa.Column("portfolio_id", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_send_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sends", sa.Integer, nullable=False, server_default=sa.text("0")),
    )
    op.create_index("ix_delivery_groups_subscription_id", "delivery_groups", ["subscription_id"])


def downgrade() -> None:
    op.drop_index("ix_delivery_groups_subscription_id", table_name="delivery_groups")
    op.drop_table("delivery_groups")
    op.drop_index("ix_deliveries_waiting_in_group", table_name="deliveries")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("grouped_into")
        batch.drop_column("group_id")
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("group_interval_seconds")
        batch.drop_column("group_wait_seconds")
