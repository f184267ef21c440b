"""Reads and writes of the project registry."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from pmo_common.web.pagination import PageRequest
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db import rows
from pmo_intake.db.tables import projects
from pmo_intake.domain.records import MilestonePlan, PlannedValuePoint, Project


def _project(
    *,
    milestones: list[dict[str, Any]],
    planned_value_profile: list[dict[str, Any]] | None,
    **rest: Any,
) -> Project:
    return Project(
        milestones=tuple(
            MilestonePlan(m["name"], date.fromisoformat(m["due_date"])) for m in milestones
        ),
        planned_value_profile=tuple(
            PlannedValuePoint(date.fromisoformat(p["date"]), float(p["percent"]))
            for p in planned_value_profile or ()
        ),
        **rest,
    )


def _columns(project: Project) -> dict[str, Any]:
    values = asdict(project)
    values["milestones"] = [
        {"name": m.name, "due_date": m.due_date.isoformat()} for m in project.milestones
    ]
    values["planned_value_profile"] = [
        {"date": p.on.isoformat(), "percent": p.percent} for p in project.planned_value_profile
    ]
    return values


async def get_project(session: AsyncSession, *, project_id: str) -> Project | None:
    """One project, or None."""
    return await rows.fetch_one(
        session, select(projects).where(projects.c.id == project_id), _project
    )


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
    query = rows.matching(
        select(projects),
        (func.lower(projects.c.manager), manager and manager.lower()),  # e-mails ignore case
        (projects.c.status, status),
        (projects.c.portfolio_id, portfolio_id),
        (projects.c.program_id, program_id),
    )
    query = query.order_by(projects.c.created_at.desc(), projects.c.id)
    return await rows.fetch_page(session, query, _project, page)


async def insert_project(session: AsyncSession, *, project: Project) -> None:
    """Add a project."""
    await session.execute(insert(projects).values(**_columns(project)))


async def update_project(session: AsyncSession, *, project: Project) -> None:
    """Store the project's current state."""
    await rows.update_by_id(session, projects, _columns(project))
