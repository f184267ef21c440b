"""Rows in and out of the database as domain records, with timestamps in UTC.

SQLite hands back naive datetimes (stored as UTC); every datetime a record is built with is
made timezone-aware here, so no repository converts field by field.
"""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Row

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

R = TypeVar("R", bound="DataclassInstance")


def as_utc(value: datetime) -> datetime:
    """A stored timestamp as an aware UTC datetime (naive values were stored as UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def record_from_row(record_type: type[R], row: Row[Any], **converted: Any) -> R:
    """The record of a row: its fields read by name, datetimes in UTC; `converted` overrides."""
    mapping = row._mapping
    values: dict[str, Any] = {}
    for field in fields(record_type):
        if field.name in converted:
            values[field.name] = converted[field.name]
            continue
        value = mapping[field.name]
        values[field.name] = as_utc(value) if isinstance(value, datetime) else value
    return record_type(**values)


def row_values(record: DataclassInstance, **converted: Any) -> dict[str, Any]:
    """The column values of a record (nested records as dicts); `converted` overrides."""
    return asdict(record) | converted
