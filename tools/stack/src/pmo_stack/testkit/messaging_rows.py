"""Messaging rows as the services leave them, written at a chosen time, and the counts by which
retention is judged (for the tests of retention and its soak benchmark).

The rows go straight into the shared messaging tables: an outbox row the relay has (or has
not) published, a consumer's processed-event id, an Idempotency-Key record.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pmo_common.messaging.tables import MessagingTables
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine


def outbox_row(
    event_id: str, *, at: datetime, published: bool = True, **columns: Any
) -> dict[str, Any]:
    """An outbox row written at `at`, published by the relay at that moment unless not;
    `columns` override the rest (`topic`, `payload`, `attempts`)."""
    row = {"event_id": event_id, "topic": "project.created", "payload": "{}", "attempts": 0}
    return {**row, "created_at": at, "published_at": at if published else None, **columns}


def processed_row(event_id: str, *, at: datetime, consumer: str, **columns: Any) -> dict[str, Any]:
    """`consumer`'s record of having applied `event_id` at `at`; `columns` override the rest
    (`event_type`)."""
    row = {"consumer": consumer, "event_id": event_id, "event_type": "project.created"}
    return {**row, "processed_at": at, **columns}


def idempotency_row(key: str, *, at: datetime, **columns: Any) -> dict[str, Any]:
    """A request's Idempotency-Key record (a 201 answer) stored at `at`; `columns` override the
    rest (`request_hash`, `response_body`)."""
    row = {"principal": "pm@example.com", "key": key, "request_hash": "h", "status_code": 201}
    return {**row, "response_body": "{}", "created_at": at, **columns}


async def rows_left(engine: AsyncEngine, tables: MessagingTables) -> dict[str, int]:
    """Rows in each messaging table, the outbox's unpublished ones counted apart."""
    published = tables.outbox.c.published_at
    queries = {
        "outbox": select(func.count()).where(published.is_not(None)),
        "unpublished": select(func.count()).where(published.is_(None)),
        "processed": select(func.count()).select_from(tables.processed_events),
        "idempotency": select(func.count()).select_from(tables.idempotency_keys),
    }
    async with engine.connect() as connection:
        return {name: int(await connection.scalar(query) or 0) for name, query in queries.items()}
