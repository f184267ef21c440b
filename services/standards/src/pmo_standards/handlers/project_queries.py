"""Reads of standards' projection of intake's projects."""

from __future__ import annotations

from pmo_common.problems import not_found
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_standards.db.projection_repository import get_project
from pmo_standards.domain.projects import ProjectView


async def find_project(session: AsyncSession, *, project_id: str) -> ProjectView:
    """A project standards has heard of; 404 problem otherwise."""
    project = await get_project(session, project_id=project_id)
    if project is None:
        raise not_found(
            "project",
            project_id,
            "Standards has not heard of this project yet: it learns of projects from intake's "
            "project.created events, so retry shortly after creating one.",
        )
    return project
