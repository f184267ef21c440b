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
from sqlalchemy import RowMapping, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db.plan_columns import plan_columns, plan_of
from pmo_intake.db.portfolio_member_repository import within_scope
from pmo_intake.db.tables import projects
from pmo_intake.domain.portfolio_roles import ListScope
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
    readable_by: ListScope | None = None,
) -> list[Project]:
    """A page of the projects matching the filters given (None matches all), newest first;
    only those `readable_by` allows when it is given."""
    query = matching(
        select(projects),
        (func.lower(projects.c.manager), manager and manager.lower()),  # e-mails ignore case
        (projects.c.status, status),
        (projects.c.portfolio_id, portfolio_id),
        (projects.c.program_id, program_id),
    )
    if readable_by is not None:
        query = query.where(within_scope(readable_by, projects.c.manager, projects.c.portfolio_id))
    query = query.order_by(projects.c.created_at.desc(), projects.c.id)
    return await fetch_page(session, query, _project, page)


async def insert_project(session: AsyncSession, *, project: Project) -> None:
    """Add a project."""
    await session.execute(insert(projects).values(**_columns(project)))


async def update_project(session: AsyncSession, *, project: Project) -> None:
    """Store the project's current state."""
    await update_by_id(session, projects, _columns(project))


async def active_in_program_outside(
    session: AsyncSession, *, program_id: str, portfolio_id: str
) -> list[str]:
    """Ids of the programme's active projects in a portfolio other than `portfolio_id` (or in
    none), sorted: the order their rows are locked in, so two movers cannot deadlock."""
    query = select(projects.c.id).where(
        projects.c.program_id == program_id,
        projects.c.status == "active",
        or_(projects.c.portfolio_id.is_(None), projects.c.portfolio_id != portfolio_id),
    )
    return list(await session.scalars(query.order_by(projects.c.id)))
