"""Reads of the RAID register the API answers (access checks are the caller's)."""

from __future__ import annotations

from pmo_common.web.pagination import PageRequest
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db import raid_repository as register
from pmo_monitoring.domain.raid import RaidItem
from pmo_monitoring.handlers.raid_commands import item_not_found


async def list_items(
    session: AsyncSession,
    *,
    project_id: str,
    kind: str | None,
    status: str | None,
    page: PageRequest,
) -> list[RaidItem]:
    """A project's items, oldest first, filtered by kind and status, up to page.limit + 1."""
    return await register.list_items(
        session, project_id=project_id, kind=kind, status=status, page=page
    )


async def get_item(session: AsyncSession, *, project_id: str, item_id: str) -> RaidItem:
    """One item of a project's register, or the 404."""
    item = await register.get_item(session, project_id=project_id, item_id=item_id)
    if item is None:
        raise item_not_found(project_id, item_id)
    return item
