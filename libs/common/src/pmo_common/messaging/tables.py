"""The outbox, processed-event and idempotency tables every service migrates."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

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
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("published_at", DateTime(timezone=True), nullable=True, index=True),
        Column("attempts", Integer, nullable=False, default=0),
        Column("last_error", Text, nullable=True),
    )
    processed = Table(
        "processed_events",
        metadata,
        Column("consumer", String(100), primary_key=True),
        Column("event_id", String(64), primary_key=True),
        Column("event_type", String(200), nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False),
    )
    idempotency = Table(
        "idempotency_keys",
        metadata,
        Column("principal", String(320), primary_key=True),
        Column("key", String(200), primary_key=True),
        Column("request_hash", String(64), nullable=False),
        Column("status_code", Integer, nullable=False),
        Column("response_body", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    return MessagingTables(outbox=outbox, processed_events=processed, idempotency_keys=idempotency)
