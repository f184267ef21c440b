"""Rows in and out of typed records, and page reads: the one way every repository does them.

A record is a frozen dataclass whose fields are its table's columns of the same names; the
repositories pass `converted` values for the fields a column stores in another shape (JSON
lists for tuples, nested records as dicts).

A query run on every request is built once, at import, with `bindparam`s for what varies, and
handed its values as `params`: SQLAlchemy then reuses the statement's cache key and compiled
form instead of rebuilding and re-hashing the whole expression per call.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import fields
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import ColumnElement, RowMapping, Select, Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_common.web.pagination import PageRequest

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

R = TypeVar("R", bound="DataclassInstance")
T = TypeVar("T")

# A row read by column name: a result's `RowMapping`, or a plain mapping a repository built.
# Its values are whatever the columns hold, so they stay `Any` until a record types them.
RowLike = Mapping[str, Any] | RowMapping
# How a repository turns a row into its record: the record type itself (each field read from
# its column by `record_from`) or a function that converts some fields first.
Into = type[R] | Callable[[RowMapping], R]


def as_utc(value: datetime) -> datetime:
    """A stored timestamp as an aware UTC datetime (naive values were stored as UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@cache
def _field_names(record_type: type[DataclassInstance]) -> tuple[str, ...]:
    # `dataclasses.fields` builds its answer on every call; rows are converted per request.
    return tuple(field.name for field in fields(record_type))


def record_from(record_type: type[R], row: RowLike, **converted: object) -> R:
    """The record of a row: each field from its column, datetimes in UTC; `converted` overrides."""
    values: dict[str, object] = {}
    for name in _field_names(record_type):
        if name in converted:
            values[name] = converted[name]
            continue
        value = row[name]
        # SQLite hands timestamps back naive; every timestamp this code stores is UTC.
        values[name] = as_utc(value) if isinstance(value, datetime) else value
    return record_type(**values)


def values_of(record: DataclassInstance, **converted: object) -> dict[str, Any]:
    """The column values of a record: each field's value; `converted` overrides."""
    plain = {
        name: getattr(record, name) for name in _field_names(type(record)) if name not in converted
    }
    return plain | converted


def _reader(into: Into[R]) -> Callable[[RowMapping], R]:
    if isinstance(into, type):
        record_type: type[R] = into
        return lambda row: record_from(record_type, row)
    return into


Params = Mapping[str, Any]
"""The values of a prebuilt query's bound parameters, by name."""


async def fetch_one(
    session: AsyncSession, query: Select[Any], into: Into[R], params: Params | None = None
) -> R | None:
    """The record of the query's first row, or None when it finds none."""
    row = (await session.execute(query, params)).mappings().first()
    return None if row is None else _reader(into)(row)


async def fetch_where(
    session: AsyncSession,
    table: Table,
    row: ColumnElement[bool],
    into: Into[R],
    *,
    for_update: bool = False,
) -> R | None:
    """The record of the table's `row` (a condition one row at most meets), or None;
    `for_update` locks the row (PostgreSQL)."""
    query = select(table).where(row)
    if for_update:
        query = query.with_for_update()
    return await fetch_one(session, query, into)


async def fetch_by_id(
    session: AsyncSession, table: Table, row_id: str, into: Into[R], *, for_update: bool = False
) -> R | None:
    """The record of the row with this id, or None; `for_update` locks the row (PostgreSQL)."""
    return await fetch_where(session, table, table.c.id == row_id, into, for_update=for_update)


async def fetch_all(
    session: AsyncSession, query: Select[Any], into: Into[R], params: Params | None = None
) -> list[R]:
    """The record of each row the query finds, in its order."""
    read = _reader(into)
    return [read(row) for row in (await session.execute(query, params)).mappings()]


async def fetch_page(
    session: AsyncSession, query: Select[Any], into: Into[R], page: PageRequest
) -> list[R]:
    """The records of the page, and the first of the next one if there is one.

    The extra record is how `make_page` tells that more follow, without counting every row.
    """
    return await fetch_all(session, query.limit(page.limit + 1).offset(page.offset), into)


def matching(query: Select[T], *filters: tuple[ColumnElement[Any], object]) -> Select[T]:
    """The query narrowed to rows whose column equals the value, for each value not None."""
    for column, value in filters:
        if value is not None:
            query = query.where(column == value)
    return query


async def insert_or_replace(
    session: AsyncSession,
    table: Table,
    values: Mapping[str, object],
    *,
    row: ColumnElement[bool],
    exists: bool,
) -> None:
    """Replace the columns of the `row` that `exists` (the caller has read it), or insert it."""
    if exists:
        await session.execute(update(table).where(row).values(**values))
    else:
        await session.execute(insert(table).values(**values))


async def update_by_id(
    session: AsyncSession,
    table: Table,
    values: Mapping[str, object],
    *,
    kept: Collection[str] = ("created_at",),
) -> None:
    """Store a record's values over the row with its id; the id and the `kept` columns stay."""
    changed = {name: value for name, value in values.items() if name != "id" and name not in kept}
    await session.execute(update(table).where(table.c.id == values["id"]).values(**changed))
