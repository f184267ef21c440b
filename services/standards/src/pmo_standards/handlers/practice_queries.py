"""Reads of the best-practice library: one practice, or a search."""

from __future__ import annotations

from pmo_common.problems import not_found
from pmo_common.web.pagination import PageRequest
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_standards.db.practice_repository import get_practice, search_practices
from pmo_standards.domain.practices import Practice, search_needle


async def find_practice(session: AsyncSession, *, practice_id: str) -> Practice:
    """One practice; 404 problem when there is none."""
    practice = await get_practice(session, practice_id=practice_id)
    if practice is None:
        raise not_found("practice", practice_id)
    return practice


async def search_library(
    session: AsyncSession, *, query: str | None, methodology: str | None, page: PageRequest
) -> list[Practice]:
    """A page of the practices matching `query` (case-insensitive, over title, body and tags)."""
    needle = search_needle(query) if query else None
    return await search_practices(session, needle=needle, methodology=methodology, page=page)
