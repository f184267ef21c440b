"""Use cases of project requests: draft, submit, approve (creating the project), reject."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.events.catalog import (
    REQUEST_APPROVED,
    REQUEST_REJECTED,
    REQUEST_SUBMITTED,
    EventSpec,
)
from pmo_common.events.payloads import RequestEvent
from pmo_common.problems import ProblemException
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db import request_repository as repo
from pmo_intake.db.outbox import outbox
from pmo_intake.domain.records import Baseline, ProjectRequest
from pmo_intake.domain.request_lifecycle import RequestTransitionError, check_transition
from pmo_intake.handlers.new_records import new_updatable_record
from pmo_intake.handlers.project_commands import register_project


def _check(action: str, request: ProjectRequest) -> None:
    try:
        check_transition(action, request.status)
    except RequestTransitionError as exc:
        raise ProblemException(409, "Request in the wrong state", str(exc)) from exc


async def _store_and_publish(
    session: AsyncSession, spec: EventSpec[RequestEvent], request: ProjectRequest
) -> None:
    await repo.update_request(session, request=request)
    portfolio_id = request.proposal.get("portfolio_id")
    payload = RequestEvent(
        request_id=request.id,
        title=request.title,
        requested_by=request.requested_by,
        status=request.status,
        portfolio_id=portfolio_id if isinstance(portfolio_id, str) else None,
        project_id=request.project_id,
        decided_by=request.decided_by,
        comment=request.decision_comment,
    )
    await outbox.enqueue(session, spec, payload, subject=request.project_id)


async def draft_request(
    session: AsyncSession,
    *,
    title: str,
    business_case: str | None,
    proposal: Mapping[str, object],
    requested_by: str,
) -> ProjectRequest:
    """Store a new draft request."""
    request = new_updatable_record(
        ProjectRequest,
        title=title,
        business_case=business_case,
        requested_by=requested_by,
        proposal=proposal,
    )
    async with unit_of_work(session):
        await repo.insert_request(session, request=request)
    return request


async def edit_request(
    session: AsyncSession, *, request: ProjectRequest, changes: Mapping[str, Any]
) -> ProjectRequest:
    """Change a draft request's title, business case or proposal."""
    async with unit_of_work(session):
        _check("edit", request)
        edited = replace(request, **changes, updated_at=datetime.now(UTC))
        await repo.update_request(session, request=edited)
    return edited


async def submit_request(session: AsyncSession, *, request: ProjectRequest) -> ProjectRequest:
    """Send a draft to the PMO."""
    async with unit_of_work(session):
        _check("submit", request)
        submitted = replace(request, status="submitted", updated_at=datetime.now(UTC))
        await _store_and_publish(session, REQUEST_SUBMITTED, submitted)
    return submitted


async def decide_request(
    session: AsyncSession,
    *,
    request: ProjectRequest,
    baseline: Baseline | None,
    decided_by: str,
    comment: str | None,
) -> ProjectRequest:
    """Approve by passing the baseline of the project to register, or reject by passing None."""
    approve = baseline is not None
    async with unit_of_work(session):
        _check("approve" if approve else "reject", request)
        project_id = None
        if baseline is not None:
            project_id = (await register_project(session, baseline=baseline)).id
        decided = replace(
            request,
            status="approved" if approve else "rejected",
            decided_by=decided_by,
            decision_comment=comment,
            project_id=project_id,
            updated_at=datetime.now(UTC),
        )
        await _store_and_publish(
            session, REQUEST_APPROVED if approve else REQUEST_REJECTED, decided
        )
    return decided
