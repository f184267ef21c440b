"""Reads of the project registry (lists straight from the repository); callers check access."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db import project_repository as repo
from pmo_intake.db.project_repository import list_projects
from pmo_intake.domain.records import Project
from pmo_intake.handlers.problems import found

__all__ = ["get_project", "list_projects"]


async def get_project(session: AsyncSession, *, project_id: str) -> Project:
    """One project (404 when there is none)."""
    return found(await repo.get_project(session, project_id=project_id), "project", project_id)
