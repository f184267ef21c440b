"""Routes of project requests (demand intake)."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse
from pmo_common.auth.dependencies import CurrentPrincipal
from pmo_common.problems import ProblemException
from pmo_common.web.app_factory import SessionDep
from pmo_common.web.conditional import IfMatch
from pmo_common.web.idempotency import OnceDep
from pmo_common.web.pagination import Page, PageDep
from pydantic import ValidationError

from pmo_intake.api.access import (
    Admin,
    CallerDep,
    Requester,
    ensure_can_change_request,
    ensure_can_submit_request,
    readable_request,
    request_scope,
    requester_name,
)
from pmo_intake.api.conditional_writes import tagged, with_etag
from pmo_intake.api.request_answers import answer, answer_if_matching, request_for
from pmo_intake.api.schemas import (
    ProjectCreate,
    RequestCreate,
    RequestDecision,
    RequestDetailOut,
    RequestOut,
    RequestPatch,
    RequestRejection,
)
from pmo_intake.domain.records import ProjectRequest
from pmo_intake.domain.request_lifecycle import REQUEST_STATUSES
from pmo_intake.handlers import request_commands, request_queries

router = APIRouter(prefix="/v1/requests", tags=["requests"])


_STATUS_PATTERN = f"^({'|'.join(REQUEST_STATUSES)})$"


@router.post("", status_code=201, response_model=RequestDetailOut)
async def create_request(body: RequestCreate, principal: Requester, once: OnceDep) -> JSONResponse:
    """Draft a project request."""

    async def draft() -> RequestDetailOut:
        request = await request_commands.draft_request(
            once.session,
            title=body.title,
            business_case=body.business_case,
            proposal=body.project.model_dump(mode="json"),
            requested_by=requester_name(principal),
        )
        return await answer(once.session, request)

    return tagged(await once.run(body, draft))


@router.get("", response_model=Page[RequestOut])
async def list_requests(
    principal: CallerDep,
    session: SessionDep,
    page: PageDep,
    status: Annotated[str | None, Query(pattern=_STATUS_PATTERN)] = None,
    portfolio_id: str | None = None,
    sort: Annotated[
        Literal["score", "-score"] | None,
        Query(description="`-score`: best first; unscored requests come last either way"),
    ] = None,
) -> Page[RequestOut]:
    """Requests the caller may see, newest first unless sorted; requesters see their own."""
    requests = await request_queries.list_requests(
        session,
        requested_by=None,
        readable_by=request_scope(principal),
        status=status,
        portfolio_id=portfolio_id,
        sort=sort,
        page=page,
    )
    return RequestOut.page_of(requests, page)


@router.get("/{request_id}")
async def read_request(
    request_id: str, principal: CurrentPrincipal, session: SessionDep, response: Response
) -> RequestDetailOut:
    """One request, with its history."""
    request = await readable_request(request_id, principal, session)
    return with_etag(response, await answer(session, request))


@router.patch("/{request_id}")
async def patch_request(
    request_id: str,
    body: RequestPatch,
    principal: Requester,
    session: SessionDep,
    response: Response,
    if_match_header: IfMatch = None,
) -> RequestDetailOut:
    """Change a draft, or a request returned for rework (its requester or a PMO admin)."""
    request = await request_for(principal, session, request_id, ensure_can_change_request)
    changes = body.model_dump(exclude_unset=True, exclude={"project"})
    if body.project is not None:
        changes["proposal"] = body.project.model_dump(mode="json")
    edit = partial(request_commands.edit_request, session, request_id=request.id, changes=changes)
    return await answer_if_matching(session, response, request.id, if_match_header, edit)


@router.post("/{request_id}/submit")
async def submit_request(
    request_id: str,
    principal: Requester,
    session: SessionDep,
    response: Response,
    if_match_header: IfMatch = None,
) -> RequestDetailOut:
    """Send a draft, or a reworked request, to review."""
    request = await request_for(principal, session, request_id, ensure_can_submit_request)
    submit = partial(
        request_commands.submit_request,
        session,
        request_id=request.id,
        actor=requester_name(principal),
    )
    return await answer_if_matching(session, response, request.id, if_match_header, submit)


@router.post("/{request_id}/approve")
async def approve_request(
    request_id: str,
    principal: Admin,
    session: SessionDep,
    response: Response,
    body: RequestDecision | None = None,
    if_match_header: IfMatch = None,
) -> RequestDetailOut:
    """Approve a request under review: the proposed project enters the registry (PMO admins)."""
    approve = partial(
        request_commands.decide_request,
        session,
        request_id=request_id,
        baseline_of=lambda request: _proposed_project(request).baseline(),
        decided_by=requester_name(principal),
        comment=body.comment if body else None,
    )
    return await answer_if_matching(session, response, request_id, if_match_header, approve)


@router.post("/{request_id}/reject")
async def reject_request(
    request_id: str,
    principal: Admin,
    session: SessionDep,
    response: Response,
    body: RequestRejection,
    if_match_header: IfMatch = None,
) -> RequestDetailOut:
    """Reject a request under review, saying why (PMO admins)."""
    reject = partial(
        request_commands.decide_request,
        session,
        request_id=request_id,
        baseline_of=None,
        decided_by=requester_name(principal),
        comment=body.reason,
    )
    return await answer_if_matching(session, response, request_id, if_match_header, reject)


def _proposed_project(request: ProjectRequest) -> ProjectCreate:
    """The project a request proposes; 422 naming the fields when it no longer fits the rules.

    A proposal stored before today's input rules (a 9999 end date, say) must not answer 500.
    """
    try:
        return ProjectCreate.model_validate(request.proposal)
    except ValidationError as exc:
        errors = [
            {
                "field": ".".join(["project", *(str(part) for part in error["loc"])]),
                "reason": error["msg"],
            }
            for error in exc.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['reason']}" for e in errors[:5])
        raise ProblemException(
            422,
            "Invalid proposal",
            f"The proposed project no longer meets the rules; correct it first. {detail}",
            errors=errors,
        ) from exc
