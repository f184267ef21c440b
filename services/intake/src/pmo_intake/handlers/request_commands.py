"""Use cases of project requests: draft, submit, approve (creating the project), reject."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pmo_common.events.payloads import RequestEvent
from pmo_common.problems import ProblemException
from pmo_common.web.runtime import ServiceRuntime
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db import request_repository as repo
from pmo_intake.domain.request_lifecycle import RequestTransitionError, check_transition
from pmo_intake.handlers.project_commands import register_project


def _check(action: str, request: dict[str, Any]) -> None:
    try:
        check_transition(action, request["status"])
    except RequestTransitionError as exc:
        raise ProblemException(409, "Request in the wrong state", str(exc)) from exc


async def _publish(
    session: AsyncSession, runtime: ServiceRuntime, event_type: str, request: dict[str, Any]
) -> None:
    payload = RequestEvent(
        request_id=request["id"],
        title=request["title"],
        requested_by=request["requested_by"],
        status=request["status"],
        portfolio_id=request["proposal"].get("portfolio_id"),
        project_id=request.get("project_id"),
        decided_by=request.get("decided_by"),
        comment=request.get("decision_comment"),
    )
    await runtime.emit(session, event_type, payload, subject=request.get("project_id"))


async def draft_request(
    session: AsyncSession,
    *,
    title: str,
    business_case: str | None,
    proposal: dict[str, Any],
    requested_by: str,
) -> dict[str, Any]:
    """Store a new draft request."""
    now = datetime.now(UTC)
    request = {
        "id": str(uuid.uuid4()),
        "title": title,
        "business_case": business_case,
        "requested_by": requested_by,
        "proposal": proposal,
        "status": "draft",
        "decided_by": None,
        "decision_comment": None,
        "project_id": None,
        "created_at": now,
        "updated_at": now,
    }
    await repo.insert_request(session, request)
    return request


async def edit_request(
    session: AsyncSession, *, request: dict[str, Any], changes: dict[str, Any]
) -> dict[str, Any]:
    """Change a draft request."""
    _check("edit", request)
    edited = {**request, **changes, "updated_at": datetime.now(UTC)}
    await repo.update_request(
        session,
        request["id"],
        {k: edited[k] for k in ("title", "business_case", "proposal", "updated_at")},
    )
    return edited


async def submit_request(
    session: AsyncSession, runtime: ServiceRuntime, *, request: dict[str, Any]
) -> dict[str, Any]:
    """Send a draft to the PMO."""
    _check("submit", request)
    submitted = {**request, "status": "submitted", "updated_at": datetime.now(UTC)}
    await repo.update_request(
        session, request["id"], {"status": "submitted", "updated_at": submitted["updated_at"]}
    )
    await _publish(session, runtime, "intake.request.submitted", submitted)
    return submitted


async def decide_request(
    session: AsyncSession,
    runtime: ServiceRuntime,
    *,
    request: dict[str, Any],
    project: dict[str, Any] | None,
    decided_by: str,
    comment: str | None,
) -> dict[str, Any]:
    """Approve by passing the project to register, or reject by passing None."""
    approve = project is not None
    _check("approve" if approve else "reject", request)
    project_id = None
    if project is not None:
        project_id = (await register_project(session, runtime, fields=project))["id"]
    changes = {
        "status": "approved" if approve else "rejected",
        "decided_by": decided_by,
        "decision_comment": comment,
        "project_id": project_id,
        "updated_at": datetime.now(UTC),
    }
    await repo.update_request(session, request["id"], changes)
    decided = {**request, **changes}
    event_type = "intake.request.approved" if approve else "intake.request.rejected"
    await _publish(session, runtime, event_type, decided)
    return decided
