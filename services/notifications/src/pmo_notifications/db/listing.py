"""Page reads: the optional filters a list route offers, and one page of records."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pmo_common.web.pagination import PageRequest
from sqlalchemy import ColumnElement, Row, Select
from sqlalchemy.ext.asyncio import AsyncSession

R = TypeVar("R")


def matching(query: Select[Any], *filters: tuple[ColumnElement[Any], object]) -> Select[Any]:
    """The query narrowed to rows whose column equals the value, for each value not None."""
    for column, value in filters:
        if value is not None:
            query = query.where(column == value)
    return query


async def fetch_page(
    session: AsyncSession, query: Select[Any], record: Callable[[Row[Any]], R], page: PageRequest
) -> list[R]:
    """The records of the page, and the first of the next one if there is one.

    The extra record is how `make_page` tells that more follow, without counting every row.
    """
    rows = await session.execute(query.limit(page.limit + 1).offset(page.offset))
    return [record(row) for row in rows]
