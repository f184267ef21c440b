"""Best-practice library use cases: add a practice."""

from __future__ import annotations

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.problems import field_problem
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_standards.db.methodology_repository import get_methodology
from pmo_standards.db.practice_repository import insert_practice
from pmo_standards.domain.practices import MAX_TAGS, Practice
from pmo_standards.handlers.audit_records import record_change


async def add_practice(session: AsyncSession, *, practice: Practice) -> Practice:
    """Add a practice; 422 when it names a methodology standards does not know."""
    methodology = practice.methodology
    async with unit_of_work(session):
        if methodology is not None and await get_methodology(session, key=methodology) is None:
            raise field_problem(
                "body.methodology", f"'{methodology}' is not a methodology standards knows"
            )
        if len(practice.tags) > MAX_TAGS:
            raise field_problem("body.tags", f"at most {MAX_TAGS} distinct tags are allowed")
        await insert_practice(session, practice=practice)
        await record_change(session, "created", after=practice)
    return practice
