"""Migration operations creating the shared messaging tables in a service's database."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def create_messaging_tables() -> None:
    """Create outbox_messages, processed_events and idempotency_keys."""
    op.create_table(
        "outbox_messages",
        sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(64), nullable=False, unique=True),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("message_key", sa.String(200), nullable=True),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text, nullable=True),
    )
    op.create_index("ix_outbox_messages_published_at", "outbox_messages", ["published_at"])
    op.create_table(
        "processed_events",
        sa.Column("consumer", sa.String(100), primary_key=True),
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("principal", sa.String(320), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer, nullable=False),
        sa.Column("response_body", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def drop_messaging_tables() -> None:
    """Drop the shared messaging tables."""
    op.drop_table("idempotency_keys")
    op.drop_table("processed_events")
    op.drop_index("ix_outbox_messages_published_at", table_name="outbox_messages")
    op.drop_table("outbox_messages")
