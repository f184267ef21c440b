"""Best-practice library use cases: add a practice, search the library."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from pmo_common.problems import field_problem, not_found
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_standards.db.methodology_repository import get_methodology
from pmo_standards.db.practice_repository import (
    Practice,
    get_practice,
    insert_practice,
    search_practices,
)
from pmo_standards.domain.practices import MAX_TAGS, normalise_tags, search_needle


async def add_practice(
    session: AsyncSession,
    *,
    title: str,
    body: str,
    tags: list[str],
    methodology: str | None,
    created_by: str,
) -> Practice:
    """Add a practice; 422 when it names a methodology standards does not know."""
    if methodology is not None and await get_methodology(session, key=methodology) is None:
        raise field_problem(
            "body.methodology", f"'{methodology}' is not a methodology standards knows"
        )
    cleaned_tags = normalise_tags(tags)
    if len(cleaned_tags) > MAX_TAGS:
        raise field_problem("body.tags", f"at most {MAX_TAGS} distinct tags are allowed")
    practice = Practice(
        id=str(uuid.uuid4()),
        title=title.strip(),
        body=body.strip(),
        tags=cleaned_tags,
        methodology=methodology,
        created_by=created_by,
        created_at=datetime.now(UTC),
    )
    await insert_practice(session, practice=practice)
    return practice


async def find_practice(session: AsyncSession, *, practice_id: str) -> Practice:
    """One practice; 404 problem when there is none."""
    practice = await get_practice(session, practice_id=practice_id)
    if practice is None:
        raise not_found("practice", practice_id)
    return practice


async def search_library(
    session: AsyncSession, *, query: str | None, methodology: str | None, limit: int, offset: int
) -> list[Practice]:
    """Practices matching `query` (case-insensitive, over title, body and tags)."""
    needle = search_needle(query) if query else None
    return await search_practices(
        session, needle=needle, methodology=methodology, limit=limit, offset=offset
    )
