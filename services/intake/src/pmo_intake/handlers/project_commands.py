"""Use cases of the project registry: register, change and close projects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.events.catalog import PROJECT_CLOSED, PROJECT_CREATED, PROJECT_UPDATED
from pmo_common.events.payloads import ProjectClosed, ProjectCreated, ProjectUpdated
from pmo_common.problems import ProblemException, raise_if_invalid
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db import portfolio_repository, program_repository, projection_repository
from pmo_intake.db import project_repository as repo
from pmo_intake.db.outbox import outbox
from pmo_intake.domain.project_rules import RuleViolation, changed_fields, check_baseline
from pmo_intake.domain.records import BASELINE_FIELDS, Baseline, Project
from pmo_intake.handlers.new_records import new_updatable_record
from pmo_intake.handlers.project_queries import get_project


async def _validate(session: AsyncSession, baseline: Baseline) -> None:
    violations = check_baseline(
        start_date=baseline.start_date,
        end_date=baseline.end_date,
        milestones=baseline.milestones,
        methodology=baseline.methodology,
        known_methodologies=await projection_repository.methodology_keys(session),
        planned_value_profile=baseline.planned_value_profile,
    )
    if baseline.portfolio_id and not await portfolio_repository.portfolio_exists(
        session, portfolio_id=baseline.portfolio_id
    ):
        violations.append(RuleViolation("portfolio_id", "no portfolio with this id exists"))
    if baseline.program_id:
        program = await program_repository.get_program(session, program_id=baseline.program_id)
        if program is None:
            violations.append(RuleViolation("program_id", "no programme with this id exists"))
        elif program.portfolio_id and baseline.portfolio_id not in (None, program.portfolio_id):
            violations.append(
                RuleViolation("program_id", "the programme belongs to another portfolio")
            )
    raise_if_invalid(violations, title="Invalid project")


def _snapshot(project: Project) -> dict[str, Any]:
    return {
        "project_id": project.id,
        **{name: getattr(project, name) for name in BASELINE_FIELDS},
        "milestones": [milestone.as_json() for milestone in project.milestones],
        "planned_value_profile": [point.as_json() for point in project.planned_value_profile],
        "status": project.status,
        "version": project.version,
    }


async def register_project(session: AsyncSession, *, baseline: Baseline) -> Project:
    """Validate and add a project, publishing project.created with it."""
    async with unit_of_work(session):
        await _validate(session, baseline)
        baseline_fields = {name: getattr(baseline, name) for name in BASELINE_FIELDS}
        project = new_updatable_record(Project, **baseline_fields)
        await repo.insert_project(session, project=project)
        payload = ProjectCreated.model_validate(_snapshot(project))
        await outbox.enqueue(session, PROJECT_CREATED, payload, subject=project.id)
    return project


async def change_project(
    session: AsyncSession, *, project_id: str, changes: Mapping[str, Any]
) -> Project:
    """Apply a partial change to an active project, publishing project.updated."""
    async with unit_of_work(session):
        project = await get_project(session, project_id=project_id)
        if project.status == "closed":
            raise ProblemException(409, "Project closed", "A closed project cannot be changed.")
        merged = replace(project, **changes)
        await _validate(session, merged)
        changed = changed_fields(project, merged)
        if not changed:
            return project
        updated = replace(merged, version=project.version + 1, updated_at=datetime.now(UTC))
        await repo.update_project(session, project=updated)
        payload = ProjectUpdated.model_validate({**_snapshot(updated), "changed_fields": changed})
        await outbox.enqueue(session, PROJECT_UPDATED, payload, subject=project.id)
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
        payload = ProjectClosed(
            project_id=project.id,
            name=project.name,
            closed_at=now,
            reason=reason,
            version=closed.version,
        )
        await outbox.enqueue(session, PROJECT_CLOSED, payload, subject=project.id)
    return closed
