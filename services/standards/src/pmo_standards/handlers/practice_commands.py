"""Best-practice library use cases: add a practice."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.problems import field_problem
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_standards.db.methodology_repository import get_methodology
from pmo_standards.db.practice_repository import insert_practice
from pmo_standards.domain.practices import MAX_TAGS, Practice, normalise_tags


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
    async with unit_of_work(session):
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
