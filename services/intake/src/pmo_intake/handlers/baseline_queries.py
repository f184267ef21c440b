"""Reads of projects' baseline versions; callers check access to the project first."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db import baseline_repository as repo
from pmo_intake.db.baseline_repository import list_versions
from pmo_intake.domain.baselines import BaselineVersion
from pmo_intake.handlers.problems import found

__all__ = ["get_version", "list_versions"]


async def get_version(session: AsyncSession, *, project_id: str, version: int) -> BaselineVersion:
    """One baseline version of the project (404 when it has none of that number)."""
    baseline = await repo.get_version(session, project_id=project_id, version=version)
    return found(baseline, f"baseline version of project {project_id}", str(version))
