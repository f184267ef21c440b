"""The service's clock: every timestamp it writes is timezone-aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def in_utc(instant: datetime) -> datetime:
    """The same instant expressed in UTC; ValueError for a naive datetime (no instant at all).

    SQLite stores a timestamp's wall-clock time without its offset and compares them as text,
    so an instant written in +05:00 would be kept (and compared) five hours off. Every instant
    is therefore converted before it is stored or compared.
    """
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{instant.isoformat()} has no time zone: an instant needs one")
    return instant.astimezone(UTC)
