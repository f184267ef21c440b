"""How the request routes find the request at their path and answer about it."""

from __future__ import annotations

from collections.abc import Callable

from pmo_common.auth.principal import Principal
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.api.schemas import RequestDetailOut
from pmo_intake.domain.records import ProjectRequest
from pmo_intake.handlers import request_queries


async def request_for(
    principal: Principal,
    session: AsyncSession,
    request_id: str,
    ensure_allowed: Callable[[Principal, ProjectRequest], None],
) -> ProjectRequest:
    """The request at the path (404 when there is none), once the caller passes the check."""
    request = await request_queries.get_request(session, request_id=request_id)
    ensure_allowed(principal, request)
    return request


async def answer(session: AsyncSession, request: ProjectRequest) -> RequestDetailOut:
    """The request as it now stands, with its history."""
    history = await request_queries.history_of(session, request_id=request.id)
    return RequestDetailOut.of(request, history)
