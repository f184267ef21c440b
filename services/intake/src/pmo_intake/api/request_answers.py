"""How the request routes find the request at their path and answer about it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Response
from pmo_common.auth.principal import Principal
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.api.conditional_writes import if_match, with_etag
from pmo_intake.api.schemas import RequestDetailOut
from pmo_intake.domain.records import ProjectRequest
from pmo_intake.handlers import conditional_writes, request_queries


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


async def answer_if_matching(
    session: AsyncSession,
    response: Response,
    request_id: str,
    if_match_header: str | None,
    write: Callable[[], Awaitable[ProjectRequest]],
) -> RequestDetailOut:
    """Run `write` on the request locked and as the caller read it (412 otherwise, If-Match);
    the request as it then stands, with its ETag."""
    written = await conditional_writes.write_if_matching(
        session,
        lock=conditional_writes.locked_request,
        record_id=request_id,
        check=if_match(if_match_header, lambda current: answer(session, current)),
        write=write,
    )
    return with_etag(response, await answer(session, written))
