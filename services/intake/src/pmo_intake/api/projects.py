"""Routes of the project registry."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import JSONResponse
from pmo_common.web.app_factory import SessionDep
from pmo_common.web.conditional import IfMatch
from pmo_common.web.exports import JSON, NegotiatedMediaType, export_openapi
from pmo_common.web.idempotency import OnceDep
from pmo_common.web.pagination import Page, PageDep
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.api.access import (
    CallerDep,
    ProjectCloser,
    ReadableProject,
    RegistryEditor,
    Requester,
    ensure_can_patch_project,
    ensure_can_register_project,
    ensure_manages_project,
    project_scope,
    requester_name,
)
from pmo_intake.api.conditional_writes import tagged, with_etag, written_if_matching
from pmo_intake.api.project_export import project_export
from pmo_intake.api.schemas import ProjectClose, ProjectCreate, ProjectOut, ProjectPatch
from pmo_intake.domain.records import Project
from pmo_intake.handlers import conditional_writes, project_commands, project_queries

router = APIRouter(prefix="/v1/projects", tags=["projects"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ProjectOut)
async def create_project(
    body: ProjectCreate, principal: RegistryEditor, once: OnceDep
) -> JSONResponse:
    """Register a project (PMO admins, and portfolio managers in a portfolio they manage); its
    baseline is version 1."""

    async def register() -> ProjectOut:
        await ensure_can_register_project(principal, once.session, body.baseline())
        registered = await project_commands.register_project(
            once.session,
            baseline=body.baseline(),
            actor=requester_name(principal),
            reason="registered",
        )
        return ProjectOut.model_validate(registered)

    created = await once.run(
        body,
        register,
        location=lambda created: f"/v1/projects/{created.id}",
    )
    return tagged(created)


@router.get(
    "",
    response_model=Page[ProjectOut],
    responses=export_openapi("the matching projects (the items' single values), one row each"),
)
async def list_projects(
    principal: CallerDep,
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
            manager=manager,
            readable_by=project_scope(principal),
            status=status_filter,
            portfolio_id=portfolio_id,
            program_id=program_id,
        )
    projects = await project_queries.list_projects(
        session,
        manager=manager,
        readable_by=project_scope(principal),
        status=status_filter,
        portfolio_id=portfolio_id,
        program_id=program_id,
        page=page,
    )
    return ProjectOut.page_of(projects, page)


# The routes below answer with the project and its ETag; a write with If-Match happens only
# while the project is as the caller read it (412 otherwise, docs/adr/0027).


@router.get("/{project_id}", response_model=ProjectOut)
async def read_project(project: ReadableProject, response: Response) -> ProjectOut:
    """One project."""
    return with_etag(response, ProjectOut.model_validate(project))


@router.patch("/{project_id}", response_model=ProjectOut)
async def patch_project(
    project_id: str,
    body: ProjectPatch,
    principal: Requester,
    session: SessionDep,
    response: Response,
    if_match_header: IfMatch = None,
) -> ProjectOut:
    """Change a project's fields: its baseline (budget, dates, milestones, planned-value
    profile) only by a PMO admin, which records the next baseline version (anyone else files a
    change request); its other fields by PMO admins and portfolio managers."""
    ensure_can_patch_project(principal, project_id, body.model_fields_set)
    await ensure_manages_project(principal, session, project_id, body.changes())
    change = partial(
        project_commands.change_project,
        session,
        project_id=project_id,
        changes=body.changes(),
        actor=requester_name(principal),
    )
    return await _write_if_matching(session, response, project_id, if_match_header, change)


@router.post("/{project_id}/close", response_model=ProjectOut)
async def close_project(
    project_id: str,
    _: ProjectCloser,
    session: SessionDep,
    response: Response,
    body: ProjectClose | None = None,
    if_match_header: IfMatch = None,
) -> ProjectOut:
    """Close a project; it leaves active monitoring."""
    reason = body.reason if body else None
    close = partial(project_commands.close_project, session, project_id=project_id, reason=reason)
    return await _write_if_matching(session, response, project_id, if_match_header, close)


async def _write_if_matching(
    session: AsyncSession,
    response: Response,
    project_id: str,
    if_match_header: str | None,
    write: Callable[[], Awaitable[Project]],
) -> ProjectOut:
    """Run `write` on the project locked and as the caller read it; the result and its ETag."""
    return await written_if_matching(
        session,
        response,
        lock=conditional_writes.locked_project,
        record_id=project_id,
        if_match_header=if_match_header,
        shown_as=ProjectOut,
        write=write,
    )
