"""The outbox, processed-event and idempotency tables every service migrates."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from pmo_common.db.columns import email_column, id_column, timestamp_column

# SQLite only auto-increments INTEGER PRIMARY KEY columns.
_BIG_ID = BigInteger().with_variant(Integer(), "sqlite")


@dataclass(frozen=True, slots=True)
class MessagingTables:
    """Table handles for the shared messaging tables of one service's metadata."""

    outbox: Table
    processed_events: Table
    idempotency_keys: Table


def messaging_tables(metadata: MetaData) -> MessagingTables:
    """Declare the shared tables on a service's metadata."""
    outbox = Table(
        "outbox_messages",
        metadata,
        Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        Column("event_id", String(64), nullable=False, unique=True),
        Column("topic", String(200), nullable=False),
        Column("message_key", String(200), nullable=True),
        Column("payload", Text, nullable=False),
        timestamp_column("created_at"),
        timestamp_column("published_at", nullable=True, index=True),
        Column("attempts", Integer, nullable=False, default=0),
        Column("last_error", Text, nullable=True),
    )
    processed = Table(
        "processed_events",
        metadata,
        id_column("consumer", length=100),
        id_column("event_id", length=64),
        Column("event_type", String(200), nullable=False),
        timestamp_column("processed_at"),
    )
    idempotency = Table(
        "idempotency_keys",
        metadata,
        email_column("principal", primary_key=True),
        id_column("key", length=200),
        Column("request_hash", String(64), nullable=False),
        Column("status_code", Integer, nullable=False),
        Column("response_body", Text, nullable=False),
        timestamp_column("created_at"),
    )
    return MessagingTables(outbox=outbox, processed_events=processed, idempotency_keys=idempotency)
