"""Use cases of change requests: a project's manager proposes a new baseline, a portfolio
manager or a PMO admin approves it (the next baseline version) or rejects it (ADR 0024)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.problems import ProblemException, field_problem
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db import baseline_repository
from pmo_intake.db import change_request_repository as repo
from pmo_intake.domain.baselines import (
    ChangeRequest,
    ChangeRequestDecided,
    decision_status,
    recorded_changes,
)
from pmo_intake.domain.project_rules import changed_fields
from pmo_intake.domain.records import Project
from pmo_intake.handlers.audit_records import record_change
from pmo_intake.handlers.problems import found
from pmo_intake.handlers.project_commands import apply_changes, locked_active_project
from pmo_intake.handlers.project_validation import validate_project

_CHANGES_NOTHING = "changes nothing: the baseline already has these values"


async def file_change_request(
    session: AsyncSession,
    *,
    project: Project,
    changes: Mapping[str, Any],
    justification: str,
    requested_by: str,
) -> ChangeRequest:
    """Store a pending change request of the active project's baseline; 422 when the changes
    would break the registry's rules or change nothing."""
    async with unit_of_work(session):
        current = await locked_active_project(session, project.id)
        await _check_changes(session, current, changes, location="body.changes")
        request = ChangeRequest(
            id=str(uuid.uuid4()),
            project_id=current.id,
            changes=dict(changes),
            justification=justification,
            requested_by=requested_by,
            requested_at=datetime.now(UTC),
        )
        await repo.insert_change_request(session, request=request)
        await record_change(session, "change_request.created", request.id, after=request)
    return request


async def approve_change_request(
    session: AsyncSession, *, request: ChangeRequest, decided_by: str
) -> ChangeRequest:
    """Apply the pending request's changes as the project's next baseline version (publishing
    project.updated and project.rebaselined); 409 when already decided, 422 when the changes no
    longer fit the project as it now is."""
    async with unit_of_work(session):
        pending = await _locked_pending(session, request.id, "approve")
        project = await locked_active_project(session, pending.project_id)
        updated = await apply_changes(
            session,
            project=project,
            changes=recorded_changes(pending.changes),
            actor=decided_by,
            reason=pending.justification,
            change_request_id=pending.id,
            location="changes",
        )
        if updated is project:
            raise field_problem("changes", _CHANGES_NOTHING)
        version = await baseline_repository.latest_version_number(session, project_id=project.id)
        return await _decide(
            session, pending, "approve", decided_by=decided_by, baseline_version=version
        )


async def reject_change_request(
    session: AsyncSession, *, request: ChangeRequest, decided_by: str, reason: str
) -> ChangeRequest:
    """Reject the pending request, saying why; the baseline stays as it is (409 when the
    request was already decided)."""
    async with unit_of_work(session):
        pending = await _locked_pending(session, request.id, "reject")
        return await _decide(
            session, pending, "reject", decided_by=decided_by, decision_reason=reason
        )


async def _locked_pending(session: AsyncSession, request_id: str, action: str) -> ChangeRequest:
    # Locked, so two racing decisions cannot both see it pending.
    locked = found(
        await repo.get_change_request(session, request_id=request_id, for_update=True),
        "change request",
        request_id,
    )
    try:
        decision_status(locked, action)
    except ChangeRequestDecided as exc:
        raise ProblemException(409, "Change request already decided", str(exc)) from exc
    return locked


async def _decide(
    session: AsyncSession, request: ChangeRequest, action: str, **decision: Any
) -> ChangeRequest:
    decided = replace(
        request,
        status=decision_status(request, action),
        decided_at=datetime.now(UTC),
        **decision,
    )
    await repo.update_change_request(session, request=decided)
    action = f"change_request.{decided.status}"  # approved or rejected
    await record_change(session, action, request.id, before=request, after=decided)
    return decided


async def _check_changes(
    session: AsyncSession, project: Project, changes: Mapping[str, Any], *, location: str
) -> None:
    """422 when the project with these changes breaks a rule, or is the project as it is."""
    merged = replace(project, **recorded_changes(changes))
    await validate_project(session, merged, location=location)
    if not changed_fields(project, merged):
        raise field_problem(location, _CHANGES_NOTHING)
