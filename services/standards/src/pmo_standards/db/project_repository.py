"""Reads and writes of standards' projection of the project registry."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_standards.db.tables import projects
from pmo_standards.domain.projects import ProjectView


async def get_project(session: AsyncSession, *, project_id: str) -> ProjectView | None:
    """What standards knows of a project, or None when it has not heard of it."""
    row = (
        (await session.execute(select(projects).where(projects.c.id == project_id)))
        .mappings()
        .first()
    )
    if row is None:
        return None
    return ProjectView(
        id=row["id"],
        name=row["name"],
        manager=row["manager"],
        methodology=row["methodology"],
        status=row["status"],
        version=row["version"],
    )


async def insert_project(session: AsyncSession, *, project: ProjectView, now: datetime) -> None:
    """Record a project heard of for the first time."""
    await session.execute(
        insert(projects).values(
            id=project.id,
            name=project.name,
            manager=project.manager,
            methodology=project.methodology,
            status=project.status,
            version=project.version,
            updated_at=now,
        )
    )


async def overwrite_project(session: AsyncSession, *, project: ProjectView, now: datetime) -> None:
    """Replace what is stored of a project with a newer view."""
    await session.execute(
        update(projects)
        .where(projects.c.id == project.id)
        .values(
            name=project.name,
            manager=project.manager,
            methodology=project.methodology,
            status=project.status,
            version=project.version,
            updated_at=now,
        )
    )


async def fill_ownership(
    session: AsyncSession, *, project_id: str, manager: str, methodology: str, now: datetime
) -> None:
    """Set the manager and methodology of a project known only from its closing event."""
    await session.execute(
        update(projects)
        .where(projects.c.id == project_id, projects.c.manager.is_(None))
        .values(manager=manager, methodology=methodology, updated_at=now)
    )
