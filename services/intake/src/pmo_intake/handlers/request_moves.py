"""The one way a request changes state: checked against its lifecycle, stored, recorded in its
history and, for the steps others follow, published (`intake.request.*`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from pmo_common.events.catalog import EventSpec
from pmo_common.events.payloads import RequestEvent
from pmo_common.problems import ProblemException
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db import request_repository, transition_repository
from pmo_intake.db.outbox import outbox
from pmo_intake.domain.demand_records import RequestTransition
from pmo_intake.domain.records import ProjectRequest
from pmo_intake.domain.request_lifecycle import RequestTransitionError, done, status_after
from pmo_intake.handlers.audit_records import record_change
from pmo_intake.handlers.problems import found


async def locked_request(session: AsyncSession, request_id: str) -> ProjectRequest:
    """The request, locked until the unit of work ends (404 when there is none): a step checks
    the state it moves from on this row, so two racing steps cannot both pass the check."""
    row = await request_repository.get_request(session, request_id=request_id, for_update=True)
    return found(row, "request", request_id)


def next_status(action: str, request: ProjectRequest) -> str:
    """Where `action` takes the request; 409 when its state does not allow the action."""
    try:
        return status_after(action, request.status)
    except RequestTransitionError as exc:
        raise ProblemException(409, "Request in the wrong state", str(exc)) from exc


async def record_step(
    session: AsyncSession,
    *,
    request: ProjectRequest,
    action: str,
    from_status: str | None,
    actor: str,
    comment: str | None = None,
) -> None:
    """Append the step that brought the request to its current state to its history."""
    step = RequestTransition(
        request_id=request.id,
        action=action,
        from_status=from_status,
        to_status=request.status,
        actor=actor,
        comment=comment,
        at=request.updated_at,
    )
    await transition_repository.record_transition(session, transition=step)


async def move_request(
    session: AsyncSession,
    *,
    request: ProjectRequest,
    action: str,
    actor: str,
    comment: str | None = None,
    event: EventSpec[RequestEvent] | None = None,
    **changes: Any,
) -> ProjectRequest:
    """Take `action` on the request (with `changes` to its fields), store and record the step,
    and publish `event` when one is given."""
    moved = replace(
        request,
        status=next_status(action, request),
        updated_at=datetime.now(UTC),
        **changes,
    )
    await request_repository.update_request(session, request=moved)
    action_done = f"request.{done(action)}"
    await record_change(session, action_done, request.id, before=request, after=moved)
    await record_step(
        session,
        request=moved,
        action=action,
        from_status=request.status,
        actor=actor,
        comment=comment,
    )
    if event is not None:
        await publish(session, event, moved, comment=comment)
    return moved


async def publish(
    session: AsyncSession,
    spec: EventSpec[RequestEvent],
    request: ProjectRequest,
    *,
    comment: str | None,
) -> None:
    """Write the request's event, as it now stands, to the outbox."""
    payload = RequestEvent(
        request_id=request.id,
        title=request.title,
        requested_by=request.requested_by,
        status=request.status,
        portfolio_id=request.portfolio_id,
        project_id=request.project_id,
        decided_by=request.decided_by,
        comment=comment,
        score=request.score,
    )
    await outbox.enqueue(session, spec, payload, subject=request.project_id)
