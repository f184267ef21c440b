"""Reads and writes of change requests to projects' baselines."""

from __future__ import annotations

from pmo_common.db.rows import fetch_by_id, fetch_page, update_by_id, values_of
from pmo_common.web.pagination import PageRequest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db.tables import change_requests
from pmo_intake.domain.baselines import ChangeRequest


async def insert_change_request(session: AsyncSession, *, request: ChangeRequest) -> None:
    """Add a change request."""
    await session.execute(insert(change_requests).values(**values_of(request)))


async def update_change_request(session: AsyncSession, *, request: ChangeRequest) -> None:
    """Store the change request's current state (its decision)."""
    await update_by_id(session, change_requests, values_of(request), kept=("requested_at",))


async def get_change_request(
    session: AsyncSession, *, request_id: str, for_update: bool = False
) -> ChangeRequest | None:
    """One change request, or None; `for_update` locks it (PostgreSQL)."""
    return await fetch_by_id(
        session, change_requests, request_id, ChangeRequest, for_update=for_update
    )


async def list_change_requests(
    session: AsyncSession, *, project_id: str, status: str | None, page: PageRequest
) -> list[ChangeRequest]:
    """A page of the project's change requests, oldest first, only those in `status` if given."""
    query = select(change_requests).where(change_requests.c.project_id == project_id)
    if status is not None:
        query = query.where(change_requests.c.status == status)
    query = query.order_by(change_requests.c.requested_at, change_requests.c.id)
    return await fetch_page(session, query, ChangeRequest, page)
