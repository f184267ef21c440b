"""Reads and writes of the best-practice library."""

from __future__ import annotations

from collections.abc import Iterable

from pmo_common.db.rows import fetch_all, fetch_one, fetch_page, matching, record_from, values_of
from pmo_common.web.pagination import PageRequest
from sqlalchemy import RowMapping, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_standards.db.tables import practices
from pmo_standards.domain.practices import Practice, PracticeFilter, search_text

# Every column but the derived `search_text` is a field of Practice.
_PRACTICE_COLUMNS = [column for column in practices.c if column.name != "search_text"]


# How many of the newest entries mentioning a case's topics are ranked for suggestions: the
# library is small, and ranking by exact tags in Python keeps one query for both databases.
SUGGESTION_CANDIDATES = 500


def _practice_from(row: RowMapping) -> Practice:
    return record_from(
        Practice, row, tags=tuple(row["tags"]), reason_codes=tuple(row["reason_codes"] or ())
    )


async def insert_practice(session: AsyncSession, *, practice: Practice) -> None:
    """Add a practice to the library."""
    await session.execute(
        insert(practices).values(
            values_of(
                practice,
                tags=list(practice.tags),
                reason_codes=list(practice.reason_codes) or None,
                search_text=search_text(
                    title=practice.title, body=practice.body, tags=practice.tags
                ),
            )
        )
    )


async def get_practice(session: AsyncSession, *, practice_id: str) -> Practice | None:
    """One practice, or None."""
    query = select(*_PRACTICE_COLUMNS).where(practices.c.id == practice_id)
    return await fetch_one(session, query, _practice_from)


async def search_practices(
    session: AsyncSession, *, where: PracticeFilter, page: PageRequest
) -> list[Practice]:
    """A page of the practices matching the filter, newest first."""
    query = matching(
        select(*_PRACTICE_COLUMNS),
        (practices.c.methodology, where.methodology),
        (practices.c.kind, where.kind),
    )
    if where.needle:
        # autoescape keeps '%' and '_' in a query literal on both SQLite and PostgreSQL.
        query = query.where(practices.c.search_text.contains(where.needle, autoescape=True))
    query = query.order_by(practices.c.created_at.desc(), practices.c.id)
    return await fetch_page(session, query, _practice_from, page)


async def practices_mentioning(session: AsyncSession, *, words: Iterable[str]) -> list[Practice]:
    """The newest entries whose folded text holds any of the words (candidates to rank)."""
    wanted = [practices.c.search_text.contains(word, autoescape=True) for word in words]
    if not wanted:
        return []
    query = (
        select(*_PRACTICE_COLUMNS)
        .where(or_(*wanted))
        .order_by(practices.c.created_at.desc(), practices.c.id)
        .limit(SUGGESTION_CANDIDATES)
    )
    return await fetch_all(session, query, _practice_from)
