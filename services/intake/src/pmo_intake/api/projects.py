"""Routes of the project registry."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import JSONResponse
from pmo_common.auth.dependencies import CurrentPrincipal
from pmo_common.web.app_factory import SessionDep
from pmo_common.web.exports import JSON, NegotiatedMediaType, export_openapi
from pmo_common.web.idempotency import OnceDep
from pmo_common.web.pagination import Page, PageDep

from pmo_intake.api.access import (
    ReadableProject,
    RegistryEditor,
    Requester,
    ensure_can_patch_project,
    manager_filter,
    requester_name,
)
from pmo_intake.api.project_export import project_export
from pmo_intake.api.schemas import ProjectClose, ProjectCreate, ProjectOut, ProjectPatch
from pmo_intake.domain.records import Project
from pmo_intake.handlers import project_commands, project_queries

router = APIRouter(prefix="/v1/projects", tags=["projects"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ProjectOut)
async def create_project(
    body: ProjectCreate, principal: RegistryEditor, once: OnceDep
) -> JSONResponse:
    """Register a project (PMO admins and portfolio managers); its baseline is version 1."""
    register = partial(
        project_commands.register_project,
        once.session,
        baseline=body.baseline(),
        actor=requester_name(principal),
        reason="registered",
    )
    return await once.run(
        body,
        lambda: ProjectOut.of_result(register()),
        location=lambda created: f"/v1/projects/{created.id}",
    )


@router.get(
    "",
    response_model=Page[ProjectOut],
    responses=export_openapi("the matching projects (the items' single values), one row each"),
)
async def list_projects(
    principal: CurrentPrincipal,
    answer_as: NegotiatedMediaType,
    session: SessionDep,
    page: PageDep,
    status_filter: Annotated[str | None, Query(alias="status", pattern="^(active|closed)$")] = None,
    manager: Annotated[str | None, Query(max_length=320)] = None,
    portfolio_id: Annotated[str | None, Query(max_length=36)] = None,
    program_id: Annotated[str | None, Query(max_length=36)] = None,
) -> Page[ProjectOut] | Response:
    """Projects the caller may see; project managers see their own.

    `Accept: text/csv` or the XLSX media type answers every matching project as a file
    instead (same filters; `limit` and `offset` do not apply), see docs/adr/0021.
    """
    if answer_as != JSON:
        return await project_export(
            session,
            media_type=answer_as,
            manager=manager_filter(principal) or manager,
            status=status_filter,
            portfolio_id=portfolio_id,
            program_id=program_id,
        )
    projects = await project_queries.list_projects(
        session,
        manager=manager_filter(principal) or manager,
        status=status_filter,
        portfolio_id=portfolio_id,
        program_id=program_id,
        page=page,
    )
    return ProjectOut.page_of(projects, page)


# The routes below answer with the project record; their response model shapes it.


@router.get("/{project_id}", response_model=ProjectOut)
async def read_project(project: ReadableProject) -> Project:
    """One project."""
    return project


@router.patch("/{project_id}", response_model=ProjectOut)
async def patch_project(
    project_id: str, body: ProjectPatch, principal: Requester, session: SessionDep
) -> Project:
    """Change a project's fields: its baseline (budget, dates, milestones, planned-value
    profile) only by a PMO admin, which records the next baseline version (anyone else files a
    change request); its other fields by PMO admins and portfolio managers."""
    ensure_can_patch_project(principal, project_id, body.model_fields_set)
    return await project_commands.change_project(
        session, project_id=project_id, changes=body.changes(), actor=requester_name(principal)
    )


@router.post("/{project_id}/close", response_model=ProjectOut)
async def close_project(
    project_id: str, _: RegistryEditor, session: SessionDep, body: ProjectClose | None = None
) -> Project:
    """Close a project; it leaves active monitoring."""
    reason = body.reason if body else None
    return await project_commands.close_project(session, project_id=project_id, reason=reason)
