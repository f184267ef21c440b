"""Reads and writes of the best-practice library."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_standards.db.tables import practices
from pmo_standards.domain.practices import search_text


@dataclass(frozen=True, slots=True)
class Practice:
    """A best practice of the library."""

    id: str
    title: str
    body: str
    tags: tuple[str, ...]
    methodology: str | None
    created_by: str
    created_at: datetime


def _practice_from(row: RowMapping) -> Practice:
    return Practice(
        id=row["id"],
        title=row["title"],
        body=row["body"],
        tags=tuple(row["tags"]),
        methodology=row["methodology"],
        created_by=row["created_by"],
        created_at=row["created_at"],
    )


async def insert_practice(session: AsyncSession, *, practice: Practice) -> None:
    """Add a practice to the library."""
    await session.execute(
        insert(practices).values(
            id=practice.id,
            title=practice.title,
            body=practice.body,
            tags=list(practice.tags),
            methodology=practice.methodology,
            search_text=search_text(title=practice.title, body=practice.body, tags=practice.tags),
            created_by=practice.created_by,
            created_at=practice.created_at,
        )
    )


async def get_practice(session: AsyncSession, *, practice_id: str) -> Practice | None:
    """One practice, or None."""
    row = (
        (await session.execute(select(practices).where(practices.c.id == practice_id)))
        .mappings()
        .first()
    )
    return None if row is None else _practice_from(row)


async def search_practices(
    session: AsyncSession,
    *,
    needle: str | None,
    methodology: str | None,
    limit: int,
    offset: int,
) -> list[Practice]:
    """Practices whose folded text contains `needle`, newest first."""
    query = select(practices)
    if needle:
        # autoescape keeps '%' and '_' in a query literal on both SQLite and PostgreSQL.
        query = query.where(practices.c.search_text.contains(needle, autoescape=True))
    if methodology is not None:
        query = query.where(practices.c.methodology == methodology)
    query = (
        query.order_by(practices.c.created_at.desc(), practices.c.id).limit(limit).offset(offset)
    )
    return [_practice_from(row) for row in (await session.execute(query)).mappings()]
