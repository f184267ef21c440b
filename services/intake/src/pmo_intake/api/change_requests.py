"""Routes of change requests: a project's manager proposes a baseline change, someone else
(a portfolio manager or a PMO admin) approves or rejects it (ADR 0024)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse
from pmo_common.auth.dependencies import CurrentPrincipal
from pmo_common.auth.principal import Principal
from pmo_common.web.app_factory import SessionDep
from pmo_common.web.conditional import IfMatch
from pmo_common.web.idempotency import CreateOnce, OnceDep
from pmo_common.web.pagination import Page, PageDep
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.api.access import (
    BaselineDecider,
    ReadableProject,
    Requester,
    ensure_can_decide_change,
    ensure_can_request_change,
    readable_project,
    requester_name,
)
from pmo_intake.api.baseline_schemas import ChangeRequestOut
from pmo_intake.api.conditional_writes import if_match, tagged, with_etag
from pmo_intake.api.schemas import ChangeRequestIn, RequestRejection
from pmo_intake.domain.baselines import ChangeRequest
from pmo_intake.handlers import change_request_commands as commands
from pmo_intake.handlers import change_request_queries, conditional_writes

router = APIRouter(prefix="/v1/projects/{project_id}/change-requests", tags=["projects"])


async def _readable_request(
    principal: Principal, session: AsyncSession, project_id: str, request_id: str
) -> ChangeRequest:
    project = await readable_project(project_id, principal, session)
    return await change_request_queries.get_change_request(
        session, project_id=project.id, request_id=request_id
    )


@router.post("", status_code=201, response_model=ChangeRequestOut)
async def request_change(
    project_id: str, body: ChangeRequestIn, principal: Requester, once: OnceDep
) -> JSONResponse:
    """Propose a change of the project's baseline (its manager or a PMO admin); it waits for
    a portfolio manager's or a PMO admin's decision."""

    async def file() -> ChangeRequestOut:
        project = await readable_project(project_id, principal, once.session)
        ensure_can_request_change(principal, project)
        filed = await commands.file_change_request(
            once.session,
            project=project,
            changes=body.changes.as_stored(),
            justification=body.justification,
            requested_by=requester_name(principal),
        )
        return ChangeRequestOut.model_validate(filed)

    filed = await once.run(
        body, file, location=lambda filed: f"/v1/projects/{project_id}/change-requests/{filed.id}"
    )
    return tagged(filed)


@router.get("", response_model=Page[ChangeRequestOut])
async def list_change_requests(
    project: ReadableProject,
    session: SessionDep,
    page: PageDep,
    status: Annotated[str | None, Query(pattern="^(pending|approved|rejected)$")] = None,
) -> Page[ChangeRequestOut]:
    """The project's change requests, oldest first, optionally only those in one status."""
    requests = await change_request_queries.list_change_requests(
        session, project_id=project.id, status=status, page=page
    )
    return ChangeRequestOut.page_of(requests, page)


@router.get("/{request_id}", response_model=ChangeRequestOut)
async def read_change_request(
    project_id: str,
    request_id: str,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
) -> ChangeRequestOut:
    """One change request of the project."""
    request = await _readable_request(principal, session, project_id, request_id)
    return with_etag(response, ChangeRequestOut.model_validate(request))


@router.post("/{request_id}/approve", response_model=ChangeRequestOut)
async def approve_change_request(
    project_id: str,
    request_id: str,
    principal: BaselineDecider,
    once: OnceDep,
    if_match_header: IfMatch = None,
) -> JSONResponse:
    """Approve a pending request (a portfolio manager or a PMO admin, not its requester): its
    changes become the project's next baseline version."""

    async def approve(request: ChangeRequest, decided_by: str) -> ChangeRequest:
        return await commands.approve_change_request(
            once.session, request=request, decided_by=decided_by
        )

    path = (project_id, request_id)
    return await _decide(once, principal, path, if_match_header, None, approve)


@router.post("/{request_id}/reject", response_model=ChangeRequestOut)
async def reject_change_request(
    project_id: str,
    request_id: str,
    body: RequestRejection,
    principal: BaselineDecider,
    once: OnceDep,
    if_match_header: IfMatch = None,
) -> JSONResponse:
    """Reject a pending request, saying why (a portfolio manager or a PMO admin, not its
    requester); the baseline stays as it is."""

    async def reject(request: ChangeRequest, decided_by: str) -> ChangeRequest:
        return await commands.reject_change_request(
            once.session, request=request, decided_by=decided_by, reason=body.reason
        )

    path = (project_id, request_id)
    return await _decide(once, principal, path, if_match_header, body, reject)


async def _decide(
    once: CreateOnce,
    principal: Principal,
    path: tuple[str, str],
    if_match_header: str | None,
    body: RequestRejection | None,
    decide: Callable[[ChangeRequest, str], Awaitable[ChangeRequest]],
) -> JSONResponse:
    """Decide the request at the path (project id, request id) once per Idempotency-Key, after
    the access checks, while it is as the caller read it (If-Match, 412 otherwise)."""

    async def checked_decision() -> ChangeRequestOut:
        request = await _readable_request(principal, once.session, *path)
        ensure_can_decide_change(principal, request)
        decided = await conditional_writes.write_if_matching(
            once.session,
            lock=conditional_writes.locked_change_request,
            record_id=request.id,
            check=if_match(if_match_header, ChangeRequestOut.model_validate),
            write=lambda: decide(request, requester_name(principal)),
        )
        return ChangeRequestOut.model_validate(decided)

    return tagged(await once.run(body, checked_decision, status_code=200))
