"""Routes of the project registry."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status
from fastapi.responses import JSONResponse
from pmo_common.auth.dependencies import CurrentPrincipal, require_roles
from pmo_common.auth.principal import Principal
from pmo_common.problems import not_found
from pmo_common.web import idempotency
from pmo_common.web.app_factory import RuntimeDep, SessionDep
from pmo_common.web.pagination import Page, PageDep, make_page

from pmo_intake.api.access import REGISTRY_EDITORS, ensure_can_read, manager_filter
from pmo_intake.api.schemas import ProjectClose, ProjectCreate, ProjectOut, ProjectPatch
from pmo_intake.db import project_repository as repo
from pmo_intake.handlers import project_commands

router = APIRouter(prefix="/v1/projects", tags=["projects"])
Editor = Annotated[Principal, Depends(require_roles(*REGISTRY_EDITORS))]


def project_fields(body: ProjectCreate | ProjectPatch, *, only_set: bool) -> dict[str, Any]:
    values = body.model_dump(exclude_unset=only_set)
    if values.get("milestones") is not None:
        values["milestones"] = [
            {"name": m["name"], "due_date": m["due_date"].isoformat()} for m in values["milestones"]
        ]
    if values.get("planned_value_profile") is not None:
        values["planned_value_profile"] = [
            {"date": p["date"].isoformat(), "percent": p["percent"]}
            for p in values["planned_value_profile"]
        ]
    for email_field in ("manager", "sponsor"):
        if values.get(email_field):
            values[email_field] = str(values[email_field]).lower()
    return values


async def _load(session: SessionDep, project_id: str) -> dict[str, Any]:
    project = await repo.get_project(session, project_id)
    if project is None:
        raise not_found("project", project_id)
    return project


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ProjectOut)
async def create_project(
    body: ProjectCreate,
    principal: Editor,
    session: SessionDep,
    runtime: RuntimeDep,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> Any:
    """Register a project (PMO admins and portfolio managers)."""
    fields = project_fields(body, only_set=False)
    request_hash = idempotency.fingerprint(fields, route="POST /v1/projects")
    tables = runtime.tables
    replayed = await idempotency.replay(session, tables, principal, idempotency_key, request_hash)
    if replayed is not None:
        return replayed
    project = await project_commands.register_project(session, runtime, fields=fields)
    answer = ProjectOut.model_validate(project).model_dump(mode="json")
    await idempotency.remember(
        session, tables, principal, idempotency_key, request_hash, 201, answer
    )
    await session.commit()
    return JSONResponse(
        answer, status_code=201, headers={"Location": f"/v1/projects/{project['id']}"}
    )


@router.get("", response_model=Page[ProjectOut])
async def list_projects(
    principal: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
    status_filter: Annotated[str | None, Query(alias="status", pattern="^(active|closed)$")] = None,
    manager: Annotated[str | None, Query(max_length=320)] = None,
    portfolio_id: Annotated[str | None, Query(max_length=36)] = None,
    program_id: Annotated[str | None, Query(max_length=36)] = None,
) -> Page[ProjectOut]:
    """Projects the caller may see; project managers see their own."""
    restricted = manager_filter(principal)
    rows = await repo.list_projects(
        session,
        manager=restricted or manager,
        status=status_filter,
        portfolio_id=portfolio_id,
        program_id=program_id,
        limit=page.limit + 1,
        offset=page.offset,
    )
    return make_page([ProjectOut.model_validate(r) for r in rows], page)


@router.get("/{project_id}", response_model=ProjectOut)
async def read_project(
    project_id: str, principal: CurrentPrincipal, session: SessionDep
) -> ProjectOut:
    """One project."""
    project = await _load(session, project_id)
    ensure_can_read(principal, project)
    return ProjectOut.model_validate(project)


@router.patch("/{project_id}", response_model=ProjectOut)
async def patch_project(
    project_id: str, body: ProjectPatch, _: Editor, session: SessionDep, runtime: RuntimeDep
) -> ProjectOut:
    """Change a project's baseline or ownership (PMO admins and portfolio managers)."""
    project = await _load(session, project_id)
    changes = project_fields(body, only_set=True)
    updated = await project_commands.change_project(
        session, runtime, project=project, changes=changes
    )
    await session.commit()
    return ProjectOut.model_validate(updated)


@router.post("/{project_id}/close", response_model=ProjectOut)
async def close_project(
    project_id: str,
    _: Editor,
    session: SessionDep,
    runtime: RuntimeDep,
    body: ProjectClose | None = None,
) -> ProjectOut:
    """Close a project; it leaves active monitoring."""
    project = await _load(session, project_id)
    closed = await project_commands.close_project(
        session, runtime, project=project, reason=body.reason if body else None
    )
    await session.commit()
    return ProjectOut.model_validate(closed)
