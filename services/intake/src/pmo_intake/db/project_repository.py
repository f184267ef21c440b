"""Reads and writes of the project registry."""

from __future__ import annotations

from typing import Any

from pmo_common.db.rows import (
    fetch_by_id,
    fetch_page,
    matching,
    record_from,
    update_by_id,
    values_of,
)
from pmo_common.web.pagination import PageRequest
from sqlalchemy import RowMapping, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db.plan_columns import plan_columns, plan_of
from pmo_intake.db.tables import projects
from pmo_intake.domain.records import Project


def _project(row: RowMapping) -> Project:
    return record_from(Project, row, **plan_of(row))


def _columns(project: Project) -> dict[str, Any]:
    return values_of(project, **plan_columns(project))


async def get_project(
    session: AsyncSession, *, project_id: str, for_update: bool = False
) -> Project | None:
    """One project, or None; `for_update` locks it (PostgreSQL)."""
    return await fetch_by_id(session, projects, project_id, _project, for_update=for_update)


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


async def count_in_program_outside(
    session: AsyncSession, *, program_id: str, portfolio_id: str | None
) -> int:
    """How many projects of the programme name a portfolio other than `portfolio_id`."""
    query = select(func.count()).where(
        projects.c.program_id == program_id,
        projects.c.portfolio_id.is_not(None),
    )
    if portfolio_id is not None:
        query = query.where(projects.c.portfolio_id != portfolio_id)
    return int(await session.scalar(query) or 0)
