"""Routes of projects' baseline versions (read-only: versions are made by registering a project,
approving a change request or a PMO admin's direct change)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pmo_common.web.app_factory import SessionDep
from pmo_common.web.pagination import Page, PageDep

from pmo_intake.api.access import ReadableProject
from pmo_intake.api.baseline_schemas import BaselineOut
from pmo_intake.domain.baselines import BaselineVersion
from pmo_intake.handlers import baseline_queries

router = APIRouter(prefix="/v1/projects/{project_id}/baselines", tags=["projects"])


@router.get("", response_model=Page[BaselineOut])
async def list_baselines(
    project: ReadableProject, session: SessionDep, page: PageDep
) -> Page[BaselineOut]:
    """Every version of the project's baseline, oldest first (version 1 at registration)."""
    versions = await baseline_queries.list_versions(session, project_id=project.id, page=page)
    return BaselineOut.page_of(versions, page)


@router.get("/{version}", response_model=BaselineOut)
async def read_baseline(
    project: ReadableProject,
    version: Annotated[int, Path(ge=1, le=1_000_000)],
    session: SessionDep,
) -> BaselineVersion:
    """One version of the project's baseline."""
    return await baseline_queries.get_version(session, project_id=project.id, version=version)
