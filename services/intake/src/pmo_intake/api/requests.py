"""Routes of project requests (demand intake)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pmo_common.auth.dependencies import CurrentPrincipal, forbid, require_roles
from pmo_common.auth.principal import Principal
from pmo_common.problems import not_found
from pmo_common.web import idempotency
from pmo_common.web.app_factory import RuntimeDep, SessionDep
from pmo_common.web.pagination import Page, PageDep, make_page

from pmo_intake.api.projects import project_fields
from pmo_intake.api.schemas import (
    ProjectCreate,
    RequestCreate,
    RequestDecision,
    RequestOut,
    RequestPatch,
)
from pmo_intake.db import request_repository as repo
from pmo_intake.handlers import request_commands

router = APIRouter(prefix="/v1/requests", tags=["requests"])
Requester = Annotated[
    Principal, Depends(require_roles("pmo_admin", "portfolio_manager", "project_manager"))
]
Admin = Annotated[Principal, Depends(require_roles("pmo_admin"))]


def _owner_or_reader(principal: Principal, request: dict[str, Any]) -> None:
    if principal.sees_everything or principal.manages(request["requested_by"]):
        return
    raise forbid("You can only see requests you made.")


async def _load(session: SessionDep, request_id: str) -> dict[str, Any]:
    request = await repo.get_request(session, request_id)
    if request is None:
        raise not_found("request", request_id)
    return request


def _out(request: dict[str, Any]) -> RequestOut:
    return RequestOut.model_validate(request)


@router.post("", status_code=201, response_model=RequestOut)
async def create_request(
    body: RequestCreate,
    principal: Requester,
    session: SessionDep,
    runtime: RuntimeDep,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> Any:
    """Draft a project request."""
    proposal = body.project.model_dump(mode="json")
    fingerprint = idempotency.fingerprint(
        {"title": body.title, "proposal": proposal}, route="POST /v1/requests"
    )
    tables = runtime.tables
    replayed = await idempotency.replay(session, tables, principal, idempotency_key, fingerprint)
    if replayed is not None:
        return replayed
    request = await request_commands.draft_request(
        session,
        title=body.title,
        business_case=body.business_case,
        proposal=proposal,
        requested_by=principal.email or principal.subject,
    )
    answer = _out(request).model_dump(mode="json")
    await idempotency.remember(
        session, tables, principal, idempotency_key, fingerprint, 201, answer
    )
    await session.commit()
    return JSONResponse(answer, status_code=201)


@router.get("", response_model=Page[RequestOut])
async def list_requests(
    principal: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
    status: Annotated[str | None, Query(pattern="^(draft|submitted|approved|rejected)$")] = None,
) -> Page[RequestOut]:
    """Requests the caller may see; requesters see their own."""
    mine = None if principal.sees_everything else (principal.email or principal.subject)
    rows = await repo.list_requests(
        session, requested_by=mine, status=status, limit=page.limit + 1, offset=page.offset
    )
    return make_page([_out(r) for r in rows], page)


@router.get("/{request_id}", response_model=RequestOut)
async def read_request(
    request_id: str, principal: CurrentPrincipal, session: SessionDep
) -> RequestOut:
    """One request."""
    request = await _load(session, request_id)
    _owner_or_reader(principal, request)
    return _out(request)


@router.patch("/{request_id}", response_model=RequestOut)
async def patch_request(
    request_id: str, body: RequestPatch, principal: Requester, session: SessionDep
) -> RequestOut:
    """Change a draft request (its requester or a PMO admin)."""
    request = await _load(session, request_id)
    if not (principal.has_any_role("pmo_admin") or principal.manages(request["requested_by"])):
        raise forbid("Only the requester or a PMO admin can change a request.")
    changes: dict[str, Any] = body.model_dump(exclude_unset=True, exclude={"project"})
    if body.project is not None:
        changes["proposal"] = body.project.model_dump(mode="json")
    edited = await request_commands.edit_request(session, request=request, changes=changes)
    await session.commit()
    return _out(edited)


@router.post("/{request_id}/submit", response_model=RequestOut)
async def submit_request(
    request_id: str, principal: Requester, session: SessionDep, runtime: RuntimeDep
) -> RequestOut:
    """Send a draft to the PMO for a decision."""
    request = await _load(session, request_id)
    if not (principal.has_any_role("pmo_admin") or principal.manages(request["requested_by"])):
        raise forbid("Only the requester or a PMO admin can submit a request.")
    submitted = await request_commands.submit_request(session, runtime, request=request)
    await session.commit()
    return _out(submitted)


@router.post("/{request_id}/approve", response_model=RequestOut)
async def approve_request(
    request_id: str,
    principal: Admin,
    session: SessionDep,
    runtime: RuntimeDep,
    body: RequestDecision | None = None,
) -> RequestOut:
    """Approve a submitted request: the proposed project enters the registry (PMO admins)."""
    request = await _load(session, request_id)
    proposal = ProjectCreate.model_validate(request["proposal"])
    decided = await request_commands.decide_request(
        session,
        runtime,
        request=request,
        project=project_fields(proposal, only_set=False),
        decided_by=principal.email or principal.subject,
        comment=body.comment if body else None,
    )
    await session.commit()
    return _out(decided)


@router.post("/{request_id}/reject", response_model=RequestOut)
async def reject_request(
    request_id: str,
    principal: Admin,
    session: SessionDep,
    runtime: RuntimeDep,
    body: RequestDecision | None = None,
) -> RequestOut:
    """Reject a submitted request (PMO admins)."""
    request = await _load(session, request_id)
    decided = await request_commands.decide_request(
        session,
        runtime,
        request=request,
        project=None,
        decided_by=principal.email or principal.subject,
        comment=body.comment if body else None,
    )
    await session.commit()
    return _out(decided)
