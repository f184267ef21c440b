"""Reads and writes of the best-practice library."""

from __future__ import annotations

from pmo_common.db.rows import fetch_one, fetch_page, record_from, values_of
from pmo_common.web.pagination import PageRequest
from sqlalchemy import RowMapping, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_standards.db.tables import practices
from pmo_standards.domain.practices import Practice, search_text

# Every column but the derived `search_text` is a field of Practice.
_PRACTICE_COLUMNS = [column for column in practices.c if column.name != "search_text"]


def _practice_from(row: RowMapping) -> Practice:
    return record_from(Practice, row, tags=tuple(row["tags"]))


async def insert_practice(session: AsyncSession, *, practice: Practice) -> None:
    """Add a practice to the library."""
    await session.execute(
        insert(practices).values(
            values_of(
                practice,
                tags=list(practice.tags),
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
    session: AsyncSession,
    *,
    needle: str | None,
    methodology: str | None,
    page: PageRequest,
) -> list[Practice]:
    """A page of the practices whose folded text contains `needle`, newest first."""
    query = select(*_PRACTICE_COLUMNS)
    if needle:
        # autoescape keeps '%' and '_' in a query literal on both SQLite and PostgreSQL.
        query = query.where(practices.c.search_text.contains(needle, autoescape=True))
    if methodology is not None:
        query = query.where(practices.c.methodology == methodology)
    query = query.order_by(practices.c.created_at.desc(), practices.c.id)
    return await fetch_page(session, query, _practice_from, page)
