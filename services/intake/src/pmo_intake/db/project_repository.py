"""Reads and writes of the project registry."""

from __future__ import annotations

from datetime import date
from typing import Any

from pmo_common.db.rows import fetch_one, fetch_page, matching, record_from, update_by_id, values_of
from pmo_common.web.pagination import PageRequest
from sqlalchemy import RowMapping, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db.tables import projects
from pmo_intake.domain.records import MilestonePlan, PlannedValuePoint, Project


def _project(row: RowMapping) -> Project:
    # The JSON columns hold the baseline's dates as ISO strings.
    return record_from(
        Project,
        row,
        milestones=tuple(
            MilestonePlan(m["name"], date.fromisoformat(m["due_date"])) for m in row["milestones"]
        ),
        planned_value_profile=tuple(
            PlannedValuePoint(date.fromisoformat(p["date"]), float(p["percent"]))
            for p in row["planned_value_profile"] or ()
        ),
    )


def _columns(project: Project) -> dict[str, Any]:
    milestones = [milestone.as_json() for milestone in project.milestones]
    profile = [point.as_json() for point in project.planned_value_profile]
    return values_of(project, milestones=milestones, planned_value_profile=profile)


async def get_project(session: AsyncSession, *, project_id: str) -> Project | None:
    """One project, or None."""
    return await fetch_one(session, select(projects).where(projects.c.id == project_id), _project)


async def list_projects(
    session: AsyncSession,
    *,
    manager: str | None,
    status: str | None,
    portfolio_id: str | None,
    program_id: str | None,
    page: PageRequest,
) -> list[Project]:
    """A page of the projects matching the filters given (None matches all), newest first."""
    query = matching(
        select(projects),
        (func.lower(projects.c.manager), manager and manager.lower()),  # e-mails ignore case
        (projects.c.status, status),
        (projects.c.portfolio_id, portfolio_id),
        (projects.c.program_id, program_id),
    )
    query = query.order_by(projects.c.created_at.desc(), projects.c.id)
    return await fetch_page(session, query, _project, page)


async def insert_project(session: AsyncSession, *, project: Project) -> None:
    """Add a project."""
    await session.execute(insert(projects).values(**_columns(project)))


async def update_project(session: AsyncSession, *, project: Project) -> None:
    """Store the project's current state."""
    await update_by_id(session, projects, _columns(project))
