"""Reads of the best-practice library: one practice, or a search."""

from __future__ import annotations

from collections.abc import Sequence

from pmo_common.problems import not_found
from pmo_common.web.pagination import PageRequest
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_standards.db.practice_repository import (
    get_practice,
    practices_mentioning,
    search_practices,
)
from pmo_standards.domain.interventions import PracticeRef, ReasonNote
from pmo_standards.domain.practices import Practice, PracticeFilter
from pmo_standards.domain.suggested_practices import rank_suggestions, topics_of


async def find_practice(session: AsyncSession, *, practice_id: str) -> Practice:
    """One practice; 404 problem when there is none."""
    practice = await get_practice(session, practice_id=practice_id)
    if practice is None:
        raise not_found("practice", practice_id)
    return practice


async def search_library(
    session: AsyncSession, *, where: PracticeFilter, page: PageRequest
) -> list[Practice]:
    """A page of the practices matching the filter (its text over title, body and tags)."""
    return await search_practices(session, where=where, page=page)


async def suggest_practices(
    session: AsyncSession, *, reasons: Sequence[ReasonNote]
) -> tuple[PracticeRef, ...]:
    """The library entries best matching the topics of a project's red reasons."""
    topics = topics_of(reasons)
    candidates = await practices_mentioning(session, words=topics)
    return rank_suggestions(candidates, topics)
