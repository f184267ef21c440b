"""Reads and writes of what standards keeps of other services' data: intake's projects."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pmo_common.db.rows import fetch_one
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_standards.db.tables import projects
from pmo_standards.domain.projects import ProjectView

# Every column but the bookkeeping `updated_at` is a field of ProjectView.
_VIEW_COLUMNS = [column for column in projects.c if column.name != "updated_at"]


def _stored_values(project: ProjectView, now: datetime) -> dict[str, Any]:
    return {
        "name": project.name,
        "manager": project.manager,
        "methodology": project.methodology,
        "status": project.status,
        "version": project.version,
        "portfolio_id": project.portfolio_id,
        "updated_at": now,
    }


async def get_project(session: AsyncSession, *, project_id: str) -> ProjectView | None:
    """What standards knows of a project, or None when it has not heard of it."""
    query = select(*_VIEW_COLUMNS).where(projects.c.id == project_id)
    return await fetch_one(session, query, ProjectView)


async def insert_project(session: AsyncSession, *, project: ProjectView, now: datetime) -> None:
    """Record a project heard of for the first time."""
    await session.execute(insert(projects).values(id=project.id, **_stored_values(project, now)))


async def overwrite_project(session: AsyncSession, *, project: ProjectView, now: datetime) -> None:
    """Replace what is stored of a project with a newer view."""
    await session.execute(
        update(projects).where(projects.c.id == project.id).values(**_stored_values(project, now))
    )


async def fill_ownership(session: AsyncSession, *, project: ProjectView, now: datetime) -> None:
    """Set the manager, methodology and portfolio of a project known only from its closing
    event, as an older snapshot (`project`) tells them; the rest stays as the closing event
    left it."""
    await session.execute(
        update(projects)
        .where(projects.c.id == project.id, projects.c.manager.is_(None))
        .values(
            manager=project.manager,
            methodology=project.methodology,
            portfolio_id=project.portfolio_id,
            updated_at=now,
        )
    )
