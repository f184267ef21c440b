"""Reads and writes of project requests."""

from __future__ import annotations

from pmo_common.db.rows import fetch_by_id, fetch_page, matching, update_by_id, values_of
from pmo_common.web.pagination import PageRequest
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db.tables import project_requests
from pmo_intake.domain.records import ProjectRequest


async def get_request(session: AsyncSession, *, request_id: str) -> ProjectRequest | None:
    """One request, or None."""
    return await fetch_by_id(session, project_requests, request_id, ProjectRequest)


async def list_requests(
    session: AsyncSession, *, requested_by: str | None, status: str | None, page: PageRequest
) -> list[ProjectRequest]:
    """A page of the requests matching the filters given (None matches all), newest first."""
    query = matching(
        select(project_requests),
        # E-mails ignore case.
        (func.lower(project_requests.c.requested_by), requested_by and requested_by.lower()),
        (project_requests.c.status, status),
    )
    query = query.order_by(project_requests.c.created_at.desc(), project_requests.c.id)
    return await fetch_page(session, query, ProjectRequest, page)


async def insert_request(session: AsyncSession, *, request: ProjectRequest) -> None:
    """Add a request."""
    await session.execute(insert(project_requests).values(**values_of(request)))


async def update_request(session: AsyncSession, *, request: ProjectRequest) -> None:
    """Store the request's current state."""
    await update_by_id(session, project_requests, values_of(request))
