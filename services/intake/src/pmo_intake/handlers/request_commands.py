"""Use cases of project requests: draft and rework, submit, review (recommend or return) and
decide (approve, creating the project, or reject)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, Literal

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.events.catalog import (
    REQUEST_APPROVED,
    REQUEST_RECOMMENDED,
    REQUEST_REJECTED,
    REQUEST_RETURNED,
    REQUEST_SUBMITTED,
)
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db import request_repository as repo
from pmo_intake.domain.records import Baseline, ProjectRequest
from pmo_intake.handlers.audit_records import record_change
from pmo_intake.handlers.new_records import new_updatable_record
from pmo_intake.handlers.project_commands import register_project
from pmo_intake.handlers.request_moves import (
    locked_request,
    move_request,
    next_status,
    record_step,
)
from pmo_intake.handlers.request_scoring import rescored

_REVIEW_EVENTS = {"recommend": REQUEST_RECOMMENDED, "return": REQUEST_RETURNED}


def _portfolio_of(proposal: Mapping[str, object]) -> str | None:
    portfolio_id = proposal.get("portfolio_id")
    return portfolio_id if isinstance(portfolio_id, str) else None


async def draft_request(
    session: AsyncSession,
    *,
    title: str,
    business_case: str | None,
    proposal: Mapping[str, object],
    requested_by: str,
) -> ProjectRequest:
    """Store a new draft request (the first step of its history)."""
    request = new_updatable_record(
        ProjectRequest,
        title=title,
        business_case=business_case,
        requested_by=requested_by,
        proposal=proposal,
        portfolio_id=_portfolio_of(proposal),
    )
    async with unit_of_work(session):
        await repo.insert_request(session, request=request)
        await record_step(
            session, request=request, action="draft", from_status=None, actor=requested_by
        )
        await record_change(session, "request.created", request.id, after=request)
    return request


async def edit_request(
    session: AsyncSession, *, request_id: str, changes: Mapping[str, Any]
) -> ProjectRequest:
    """Change a draft's or a returned request's title, business case or proposal."""
    async with unit_of_work(session):
        request = await locked_request(session, request_id)
        next_status("edit", request)
        edited = replace(request, **changes, updated_at=datetime.now(UTC))
        if "proposal" in changes:
            # Another portfolio scores with another model: the score follows the proposal.
            edited = await rescored(
                session, replace(edited, portfolio_id=_portfolio_of(edited.proposal))
            )
        await repo.update_request(session, request=edited)
        await record_change(session, "request.updated", request.id, before=request, after=edited)
    return edited


async def submit_request(session: AsyncSession, *, request_id: str, actor: str) -> ProjectRequest:
    """Send a draft, or a request reworked after its return, to review."""
    async with unit_of_work(session):
        return await move_request(
            session,
            request=await locked_request(session, request_id),
            action="submit",
            actor=actor,
            event=REQUEST_SUBMITTED,
        )


async def review_request(
    session: AsyncSession,
    *,
    request_id: str,
    action: Literal["recommend", "return"],
    actor: str,
    comment: str | None,
) -> ProjectRequest:
    """The portfolio's verdict: recommend the request for the PMO's decision, or return it to
    its requester for rework."""
    async with unit_of_work(session):
        return await move_request(
            session,
            request=await locked_request(session, request_id),
            action=action,
            actor=actor,
            comment=comment,
            event=_REVIEW_EVENTS[action],
        )


async def decide_request(
    session: AsyncSession,
    *,
    request_id: str,
    baseline_of: Callable[[ProjectRequest], Baseline] | None,
    decided_by: str,
    comment: str | None,
) -> ProjectRequest:
    """Approve by passing how to read the baseline of the project to register off the request
    (it may answer 422), or reject by passing None."""
    action = "approve" if baseline_of is not None else "reject"
    async with unit_of_work(session):
        request = await locked_request(session, request_id)
        # The state first (409), on the locked row: then the proposal (422), then the project.
        next_status(action, request)
        project_id = None
        if baseline_of is not None:
            registered = await register_project(
                session,
                baseline=baseline_of(request),
                actor=decided_by,
                reason=f"request {request.id} approved",
            )
            project_id = registered.id
        return await move_request(
            session,
            request=request,
            action=action,
            actor=decided_by,
            comment=comment,
            event=REQUEST_APPROVED if baseline_of is not None else REQUEST_REJECTED,
            decided_by=decided_by,
            decision_comment=comment,
            project_id=project_id,
        )
