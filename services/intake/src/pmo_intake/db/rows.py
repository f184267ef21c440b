"""Rows in and out of records: the steps every repository takes the same way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pmo_common.web.pagination import PageRequest
from sqlalchemy import ColumnElement, Select, Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")
# A record is built from its row's columns by keyword: `Portfolio(**row)`.
Into = Callable[..., T]


async def fetch_one(session: AsyncSession, query: Select[Any], into: Into[T]) -> T | None:
    """The first row the query finds as a record, or None."""
    row = (await session.execute(query)).mappings().first()
    return into(**row) if row is not None else None


async def fetch_all(session: AsyncSession, query: Select[Any], into: Into[T]) -> list[T]:
    """Every row the query finds, as records."""
    return [into(**row) for row in (await session.execute(query)).mappings().all()]


async def fetch_page(
    session: AsyncSession, query: Select[Any], into: Into[T], page: PageRequest
) -> list[T]:
    """The records of the page, and the first of the next one if there is one.

    The extra record is how `make_page` tells that more follow, without counting every row.
    """
    return await fetch_all(session, query.limit(page.limit + 1).offset(page.offset), into)


def matching(query: Select[Any], *filters: tuple[ColumnElement[Any], object]) -> Select[Any]:
    """The query narrowed to rows whose column equals the value, for each value not None."""
    for column, value in filters:
        if value is not None:
            query = query.where(column == value)
    return query


async def update_by_id(session: AsyncSession, table: Table, values: dict[str, Any]) -> None:
    """Store a record's current state over its row (its id and creation time never change)."""
    changed = {k: v for k, v in values.items() if k not in ("id", "created_at")}
    await session.execute(update(table).where(table.c.id == values["id"]).values(**changed))


async def name_taken(session: AsyncSession, table: Table, name: str) -> bool:
    """Whether a row of the table already has this name."""
    return await session.scalar(select(table.c.id).where(table.c.name == name)) is not None
