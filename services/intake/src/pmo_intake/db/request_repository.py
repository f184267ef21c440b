"""Reads and writes of project requests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from pmo_common.db.rows import (
    fetch_all,
    fetch_by_id,
    fetch_page,
    matching,
    record_from,
    update_by_id,
    values_of,
)
from pmo_common.web.pagination import PageRequest
from sqlalchemy import RowMapping, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db.portfolio_member_repository import within_scope
from pmo_intake.db.tables import project_requests
from pmo_intake.domain.portfolio_roles import ListScope
from pmo_intake.domain.records import ProjectRequest
from pmo_intake.domain.scoring import CriterionScore

_ORDERS = {
    # Unscored requests rank last either way (`score IS NULL` sorts false before true).
    "-score": (project_requests.c.score.is_(None), project_requests.c.score.desc()),
    "score": (project_requests.c.score.is_(None), project_requests.c.score.asc()),
}
_NEWEST_FIRST = (project_requests.c.created_at.desc(), project_requests.c.id)


def _request(row: RowMapping) -> ProjectRequest:
    breakdown = tuple(CriterionScore(**item) for item in row["score_breakdown"] or ())
    return record_from(ProjectRequest, row, score_breakdown=breakdown)


def _columns(request: ProjectRequest) -> dict[str, Any]:
    return values_of(request, score_breakdown=[asdict(item) for item in request.score_breakdown])


async def get_request(
    session: AsyncSession, *, request_id: str, for_update: bool = False
) -> ProjectRequest | None:
    """One request, or None; `for_update` locks it (PostgreSQL)."""
    return await fetch_by_id(session, project_requests, request_id, _request, for_update=for_update)


async def list_requests(
    session: AsyncSession,
    *,
    requested_by: str | None,
    status: str | None,
    page: PageRequest,
    sort: str | None = None,
    portfolio_id: str | None = None,
    readable_by: ListScope | None = None,
) -> list[ProjectRequest]:
    """A page of the requests matching the filters given (None matches all), newest first
    unless sorted by score (`-score`: best first; unscored requests last either way); only
    those `readable_by` allows when it is given."""
    query = matching(
        select(project_requests),
        # E-mails ignore case.
        (func.lower(project_requests.c.requested_by), requested_by and requested_by.lower()),
        (project_requests.c.status, status),
        (project_requests.c.portfolio_id, portfolio_id),
    )
    if readable_by is not None:
        columns = project_requests.c
        query = query.where(within_scope(readable_by, columns.requested_by, columns.portfolio_id))
    query = query.order_by(*_ORDERS.get(sort or "", ()), *_NEWEST_FIRST)
    return await fetch_page(session, query, _request, page)


async def scored_requests(
    session: AsyncSession, *, portfolio_id: str, statuses: Sequence[str], limit: int
) -> list[ProjectRequest]:
    """Up to `limit` of a portfolio's scored requests in the given states, best score first."""
    query = (
        select(project_requests)
        .where(
            project_requests.c.portfolio_id == portfolio_id,
            project_requests.c.status.in_(statuses),
            project_requests.c.score.is_not(None),
        )
        .order_by(project_requests.c.score.desc(), project_requests.c.id)
        .limit(limit)
    )
    return await fetch_all(session, query, _request)


async def requests_in_portfolios(
    session: AsyncSession, *, portfolio_ids: Sequence[str], statuses: Sequence[str]
) -> list[ProjectRequest]:
    """The requests in the given states of any of these portfolios."""
    query = select(project_requests).where(
        project_requests.c.portfolio_id.in_(portfolio_ids),
        project_requests.c.status.in_(statuses),
    )
    return await fetch_all(session, query, _request)


async def insert_request(session: AsyncSession, *, request: ProjectRequest) -> None:
    """Add a request."""
    await session.execute(insert(project_requests).values(**_columns(request)))


async def update_request(session: AsyncSession, *, request: ProjectRequest) -> None:
    """Store the request's current state."""
    await update_by_id(session, project_requests, _columns(request))
