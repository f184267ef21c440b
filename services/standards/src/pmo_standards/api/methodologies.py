"""Routes of /v1/methodologies: read, create and revise methodologies."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pmo_common.problems import field_problem
from pmo_common.web.app_factory import RuntimeDep, SessionDep
from pmo_common.web.idempotency import IdempotencyKey
from pmo_common.web.pagination import Page, PageDep, make_page
from pydantic import BaseModel

from pmo_standards.api.access import AdminPrincipal, AnyRolePrincipal, actor_name
from pmo_standards.api.idempotent_create import create_once
from pmo_standards.api.representations import methodology_out
from pmo_standards.api.schemas import (
    MethodologyContent,
    MethodologyIn,
    MethodologyOut,
    MethodologyRevisionIn,
)
from pmo_standards.db.methodology_repository import list_methodologies
from pmo_standards.domain.methodology import Gate, Methodology, RuleViolation, build_methodology
from pmo_standards.handlers.methodology_commands import (
    create_methodology,
    find_methodology,
    revise_methodology,
)
from pmo_standards.handlers.problem_mapping import unprocessable

router = APIRouter(prefix="/v1/methodologies", tags=["methodologies"])


def _methodology_from(key: str, body: MethodologyContent) -> Methodology:
    try:
        return build_methodology(
            key=key,
            name=body.name,
            description=body.description,
            phases=body.phases,
            gates=[
                Gate(
                    key=g.key,
                    name=g.name,
                    phase=g.phase,
                    required_deliverables=tuple(g.required_deliverables),
                )
                for g in body.gates
            ],
            report_cadence_days=body.report_cadence_days,
            thresholds=body.thresholds,
        )
    except RuleViolation as violation:
        raise unprocessable(violation) from violation


@router.get("", summary="List methodologies (current versions)")
async def list_all(
    _principal: AnyRolePrincipal, session: SessionDep, page: PageDep
) -> Page[MethodologyOut]:
    """Every methodology, ordered by key."""
    stored = await list_methodologies(session, limit=page.limit + 1, offset=page.offset)
    return make_page([methodology_out(s) for s in stored], page)


@router.get("/{key}", summary="Read the current version of a methodology")
async def read_one(key: str, _principal: AnyRolePrincipal, session: SessionDep) -> MethodologyOut:
    """One methodology; 404 when the key is unknown."""
    return methodology_out(await find_methodology(session, key=key))


@router.post(
    "",
    status_code=201,
    response_model=MethodologyOut,
    summary="Create and publish a methodology (PMO admins)",
    responses={409: {"description": "The key is taken"}},
)
async def create(
    body: MethodologyIn,
    request: Request,
    principal: AdminPrincipal,
    session: SessionDep,
    runtime: RuntimeDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Store version 1 and publish standards.methodology.published."""
    methodology = _methodology_from(body.key, body)

    async def run() -> BaseModel:
        stored = await create_methodology(
            session, runtime=runtime, methodology=methodology, published_by=actor_name(principal)
        )
        return methodology_out(stored)

    return await create_once(
        request=request,
        session=session,
        runtime=runtime,
        principal=principal,
        idempotency_key=idempotency_key,
        body=body,
        create=run,
        location=lambda _created: f"/v1/methodologies/{methodology.key}",
    )


@router.put(
    "/{key}",
    summary="Publish the next version of a methodology (PMO admins)",
    responses={409: {"description": "The revision is based on an older version"}},
)
async def revise(
    key: str,
    body: MethodologyRevisionIn,
    principal: AdminPrincipal,
    session: SessionDep,
    runtime: RuntimeDep,
) -> MethodologyOut:
    """Store and publish version n+1; an unchanged definition keeps version n."""
    if body.key is not None and body.key != key:
        raise field_problem("body.key", f"must match the key in the path ('{key}') or be left out")
    async with session.begin():
        await find_methodology(session, key=key)  # an unknown key is a 404 before any 422
        methodology = _methodology_from(key, body)
        stored, _changed = await revise_methodology(
            session,
            runtime=runtime,
            methodology=methodology,
            expected_version=body.version,
            published_by=actor_name(principal),
        )
    return methodology_out(stored)
