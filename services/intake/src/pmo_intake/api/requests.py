"""Routes of project requests (demand intake)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pmo_common.auth.dependencies import CurrentPrincipal
from pmo_common.auth.principal import Principal
from pmo_common.problems import ProblemException
from pmo_common.web.app_factory import SessionDep
from pmo_common.web.idempotency import OnceDep
from pmo_common.web.pagination import Page, PageDep
from pydantic import ValidationError

from pmo_intake.api.access import (
    Admin,
    Requester,
    ensure_can_change_request,
    ensure_can_read_request,
    ensure_can_submit_request,
    requester_filter,
    requester_name,
)
from pmo_intake.api.schemas import (
    ProjectCreate,
    RequestCreate,
    RequestDecision,
    RequestOut,
    RequestPatch,
)
from pmo_intake.domain.records import ProjectRequest
from pmo_intake.handlers import request_commands, request_queries

router = APIRouter(prefix="/v1/requests", tags=["requests"])


@router.post("", status_code=201, response_model=RequestOut)
async def create_request(body: RequestCreate, principal: Requester, once: OnceDep) -> JSONResponse:
    """Draft a project request."""
    return await once.run(
        body,
        lambda: RequestOut.of_result(
            request_commands.draft_request(
                once.session,
                title=body.title,
                business_case=body.business_case,
                proposal=body.project.model_dump(mode="json"),
                requested_by=requester_name(principal),
            )
        ),
    )


@router.get("", response_model=Page[RequestOut])
async def list_requests(
    principal: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
    status: Annotated[str | None, Query(pattern="^(draft|submitted|approved|rejected)$")] = None,
) -> Page[RequestOut]:
    """Requests the caller may see; requesters see their own."""
    requests = await request_queries.list_requests(
        session, requested_by=requester_filter(principal), status=status, page=page
    )
    return RequestOut.page_of(requests, page)


# The routes below answer with the request record; their response model shapes it.


@router.get("/{request_id}", response_model=RequestOut)
async def read_request(
    request_id: str, principal: CurrentPrincipal, session: SessionDep
) -> ProjectRequest:
    """One request."""
    return await _request_for(principal, session, request_id, ensure_can_read_request)


@router.patch("/{request_id}", response_model=RequestOut)
async def patch_request(
    request_id: str, body: RequestPatch, principal: Requester, session: SessionDep
) -> ProjectRequest:
    """Change a draft request (its requester or a PMO admin)."""
    request = await _request_for(principal, session, request_id, ensure_can_change_request)
    changes = body.model_dump(exclude_unset=True, exclude={"project"})
    if body.project is not None:
        changes["proposal"] = body.project.model_dump(mode="json")
    return await request_commands.edit_request(session, request=request, changes=changes)


@router.post("/{request_id}/submit", response_model=RequestOut)
async def submit_request(
    request_id: str, principal: Requester, session: SessionDep
) -> ProjectRequest:
    """Send a draft to the PMO for a decision."""
    request = await _request_for(principal, session, request_id, ensure_can_submit_request)
    return await request_commands.submit_request(session, request=request)


@router.post("/{request_id}/approve", response_model=RequestOut)
async def approve_request(
    request_id: str, principal: Admin, session: SessionDep, body: RequestDecision | None = None
) -> ProjectRequest:
    """Approve a submitted request: the proposed project enters the registry (PMO admins)."""
    return await _decide(session, principal, request_id, body, approve=True)


@router.post("/{request_id}/reject", response_model=RequestOut)
async def reject_request(
    request_id: str, principal: Admin, session: SessionDep, body: RequestDecision | None = None
) -> ProjectRequest:
    """Reject a submitted request (PMO admins)."""
    return await _decide(session, principal, request_id, body, approve=False)


async def _request_for(
    principal: Principal,
    session: SessionDep,
    request_id: str,
    ensure_allowed: Callable[[Principal, ProjectRequest], None],
) -> ProjectRequest:
    """The request at the path (404 when there is none), once the caller passes the check."""
    request = await request_queries.get_request(session, request_id=request_id)
    ensure_allowed(principal, request)
    return request


async def _decide(
    session: SessionDep,
    principal: Principal,
    request_id: str,
    body: RequestDecision | None,
    *,
    approve: bool,
) -> ProjectRequest:
    request = await request_queries.get_request(session, request_id=request_id)
    proposal = _proposed_project(request) if approve else None
    return await request_commands.decide_request(
        session,
        request=request,
        baseline=proposal.baseline() if proposal is not None else None,
        decided_by=requester_name(principal),
        comment=body.comment if body else None,
    )


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
