"""Between rows and records: a record's fields are its table's columns of the same names."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields
from datetime import date
from typing import Any, TypeVar, cast

from sqlalchemy import ColumnElement, Select, Table, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

R = TypeVar("R")


def record_from(cls: type[R], row: Mapping[Any, Any], **converted: Any) -> R:
    """A `cls` record of a row: each field from its column, except the `converted` ones given."""
    plain = {
        field.name: row[field.name]
        for field in fields(cast(Any, cls))
        if field.name not in converted
    }
    return cls(**plain, **converted)


def values_of(record: object, **converted: Any) -> dict[str, Any]:
    """The column values of a record: each field's value, except the `converted` ones given."""
    plain = {field.name: getattr(record, field.name) for field in fields(cast(Any, record))}
    return {**plain, **converted}


def as_date(value: Any) -> date:
    """A date kept in a JSON column (an ISO string there, a date once read back as one)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


async def first_record(
    session: AsyncSession, query: Select[Any], record: Callable[[Mapping[Any, Any]], R]
) -> R | None:
    """The record of the query's first row, or None when it finds none."""
    row = (await session.execute(query)).first()
    return record(row._mapping) if row is not None else None


async def all_records(
    session: AsyncSession, query: Select[Any], record: Callable[[Mapping[Any, Any]], R]
) -> list[R]:
    """The record of each row the query finds, in its order."""
    return [record(row._mapping) for row in (await session.execute(query)).all()]


async def insert_or_replace(
    session: AsyncSession,
    table: Table,
    values: Mapping[str, Any],
    *,
    row: ColumnElement[bool],
    exists: bool,
) -> None:
    """Replace the columns of the `row` that `exists`, or insert it."""
    if exists:
        await session.execute(update(table).where(row).values(**values))
    else:
        await session.execute(insert(table).values(**values))
