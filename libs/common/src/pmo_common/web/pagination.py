"""Offset pagination with a capped page size."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel

MAX_PAGE_SIZE = 200
# Far past any real list, and far below the 64-bit integers databases take for OFFSET: a larger
# offset is refused (422) instead of overflowing in the database (it used to answer 500).
MAX_OFFSET = 10_000_000
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Which slice of a list the caller asked for."""

    limit: int
    offset: int


def page_request(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Page size")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip")] = 0,
) -> PageRequest:
    """Read limit and offset from the query string."""
    return PageRequest(limit=limit, offset=offset)


PageDep = Annotated[PageRequest, Depends(page_request)]


class Page(BaseModel, Generic[T]):
    """One page of a list; `next_offset` is null on the last page."""

    items: list[T]
    limit: int
    offset: int
    next_offset: int | None


def make_page(items: list[T], page: PageRequest) -> Page[T]:
    """Build a page from up to limit + 1 fetched items (the extra one signals more)."""
    has_more = len(items) > page.limit
    return Page[T](
        items=items[: page.limit],
        limit=page.limit,
        offset=page.offset,
        next_offset=page.offset + page.limit if has_more else None,
    )
