"""Use cases of the project registry: register, change and close projects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.events.catalog import PROJECT_CLOSED, PROJECT_CREATED, PROJECT_UPDATED
from pmo_common.events.payloads import ProjectClosed, ProjectCreated, ProjectUpdated
from pmo_common.problems import ProblemException
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db import baseline_repository
from pmo_intake.db import project_repository as repo
from pmo_intake.db.outbox import outbox
from pmo_intake.domain.baselines import controlled
from pmo_intake.domain.project_rules import changed_fields
from pmo_intake.domain.records import BASELINE_FIELDS, Baseline, Project
from pmo_intake.handlers.audit_records import record_change
from pmo_intake.handlers.baseline_versions import rebaseline, record_first_baseline
from pmo_intake.handlers.new_records import new_updatable_record
from pmo_intake.handlers.problems import found
from pmo_intake.handlers.project_portfolio import with_programme_portfolio
from pmo_intake.handlers.project_queries import get_project
from pmo_intake.handlers.project_validation import validate_project


def _snapshot(project: Project, *, baseline_version: int | None) -> dict[str, Any]:
    # baseline_version: which numbered baseline the snapshot's baseline fields are, so a
    # consumer (monitoring) can say what its health was judged against.
    return {
        "project_id": project.id,
        **{name: getattr(project, name) for name in BASELINE_FIELDS},
        "milestones": [milestone.as_json() for milestone in project.milestones],
        "planned_value_profile": [point.as_json() for point in project.planned_value_profile],
        "status": project.status,
        "version": project.version,
        "baseline_version": baseline_version,
    }


async def register_project(
    session: AsyncSession, *, baseline: Baseline, actor: str, reason: str
) -> Project:
    """Validate and add a project with its baseline as version 1 (made by `actor` for
    `reason`), publishing project.created with it."""
    async with unit_of_work(session):
        explicit = baseline.portfolio_id is not None
        baseline = await with_programme_portfolio(session, baseline, explicit=explicit)
        await validate_project(session, baseline)
        baseline_fields = {name: getattr(baseline, name) for name in BASELINE_FIELDS}
        project = new_updatable_record(Project, **baseline_fields)
        await repo.insert_project(session, project=project)
        first = await record_first_baseline(session, project=project, actor=actor, reason=reason)
        await record_change(session, "project.created", project.id, after=project)
        payload = ProjectCreated.model_validate(_snapshot(project, baseline_version=first.version))
        await outbox.enqueue(session, PROJECT_CREATED, payload, subject=project.id)
    return project


async def locked_active_project(session: AsyncSession, project_id: str) -> Project:
    """The project, locked until the unit of work ends (404 when there is none, 409 when it is
    closed): changes to one project, and the numbering of its baseline versions, go one at a
    time."""
    project = found(
        await repo.get_project(session, project_id=project_id, for_update=True),
        "project",
        project_id,
    )
    if project.status == "closed":
        raise ProblemException(409, "Project closed", "A closed project cannot be changed.")
    return project


async def change_project(
    session: AsyncSession, *, project_id: str, changes: Mapping[str, Any], actor: str
) -> Project:
    """Apply a partial change to an active project, publishing project.updated; a change of
    baseline fields (only PMO admins make one directly) records a baseline version too."""
    async with unit_of_work(session):
        project = await locked_active_project(session, project_id)
        return await apply_changes(
            session,
            project=project,
            changes=changes,
            actor=actor,
            reason=f"direct change by {actor}",
        )


async def apply_changes(
    session: AsyncSession,
    *,
    project: Project,
    changes: Mapping[str, Any],
    actor: str,
    reason: str,
    change_request_id: str | None = None,
    location: str = "body",
) -> Project:
    """Validate and store the locked project with `changes` (422 naming fields under
    `location`), publishing project.updated and, when its baseline changed, the next baseline
    version with project.rebaselined; a change that changes nothing stores nothing."""
    merged = await with_programme_portfolio(
        session,
        replace(project, **changes),
        explicit="portfolio_id" in changes,
        location=location,
    )
    await validate_project(session, merged, location=location)
    changed = changed_fields(project, merged)
    if not changed:
        return project
    now = datetime.now(UTC)
    updated = replace(merged, version=project.version + 1, updated_at=now)
    await repo.update_project(session, project=updated)
    await record_change(session, "project.updated", project.id, before=project, after=updated)
    rebaselined = controlled(changed)
    # The version in force after this change: rebaseline() below numbers the next one the same
    # way (the caller holds the project's lock, so the number cannot move in between).
    in_force = await baseline_repository.latest_version_number(session, project_id=project.id)
    number = in_force + 1 if rebaselined else in_force
    snapshot = _snapshot(updated, baseline_version=number or None)
    payload = ProjectUpdated.model_validate({**snapshot, "changed_fields": changed})
    await outbox.enqueue(session, PROJECT_UPDATED, payload, subject=project.id)
    if rebaselined:
        await rebaseline(
            session,
            before=project,
            after=updated,
            changed=rebaselined,
            actor=actor,
            reason=reason,
            at=now,
            change_request_id=change_request_id,
        )
    return updated


async def close_project(session: AsyncSession, *, project_id: str, reason: str | None) -> Project:
    """Close an active project, publishing project.closed; closing twice changes nothing."""
    async with unit_of_work(session):
        project = await get_project(session, project_id=project_id)
        if project.status == "closed":
            return project
        now = datetime.now(UTC)
        closed = replace(
            project,
            status="closed",
            closed_at=now,
            close_reason=reason,
            updated_at=now,
            version=project.version + 1,
        )
        await repo.update_project(session, project=closed)
        await record_change(session, "project.closed", project.id, before=project, after=closed)
        payload = ProjectClosed(
            project_id=project.id,
            name=project.name,
            closed_at=now,
            reason=reason,
            version=closed.version,
        )
        await outbox.enqueue(session, PROJECT_CLOSED, payload, subject=project.id)
    return closed
