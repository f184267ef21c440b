"""Reads of methodologies the API serves."""

from __future__ import annotations

from pmo_common.problems import not_found
from pmo_common.web.pagination import PageRequest
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_standards.db import methodology_repository
from pmo_standards.domain.methodology import PublishedMethodology


async def find_methodology(
    session: AsyncSession, *, key: str, for_update: bool = False
) -> PublishedMethodology:
    """The current version of a methodology (locked for the transaction when `for_update`);
    404 problem when there is none."""
    published = await methodology_repository.get_methodology(
        session, key=key, for_update=for_update
    )
    if published is None:
        raise not_found("methodology", key, "GET /v1/methodologies lists the known ones.")
    return published


async def list_methodologies(
    session: AsyncSession, *, page: PageRequest
) -> list[PublishedMethodology]:
    """A page of current versions, ordered by key."""
    return await methodology_repository.list_methodologies(session, page=page)
