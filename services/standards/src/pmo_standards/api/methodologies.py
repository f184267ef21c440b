"""Routes of /v1/methodologies: read, create and revise methodologies."""

from __future__ import annotations

import json

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from pmo_common.problems import field_problem, invalid_fields
from pmo_common.web.app_factory import SessionDep
from pmo_common.web.conditional import IfMatch, require_match, tag_response
from pmo_common.web.idempotency import OnceDep
from pmo_common.web.pagination import Page, PageDep

from pmo_standards.api.access import AdminPrincipal, AnyRolePrincipal, actor_name
from pmo_standards.api.schemas import (
    MethodologyContent,
    MethodologyIn,
    MethodologyOut,
    MethodologyRevisionIn,
)
from pmo_standards.domain.methodology import (
    Gate,
    Methodology,
    PublishedMethodology,
    RuleViolation,
    build_methodology,
)
from pmo_standards.handlers.methodology_commands import create_methodology, revise_methodology
from pmo_standards.handlers.methodology_queries import find_methodology, list_methodologies

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
        raise invalid_fields(violation.issues, shown=5) from violation


@router.get("", summary="List methodologies (current versions)")
async def list_all(
    _principal: AnyRolePrincipal, session: SessionDep, page: PageDep
) -> Page[MethodologyOut]:
    """Every methodology, ordered by key."""
    return MethodologyOut.page_of(await list_methodologies(session, page=page), page)


@router.get("/{key}", summary="Read the current version of a methodology")
async def read_one(
    key: str, _principal: AnyRolePrincipal, session: SessionDep, response: Response
) -> MethodologyOut:
    """One methodology, with its ETag; 404 when the key is unknown."""
    methodology = MethodologyOut.model_validate(await find_methodology(session, key=key))
    tag_response(response, methodology)
    return methodology


@router.post(
    "",
    status_code=201,
    response_model=MethodologyOut,
    summary="Create and publish a methodology (PMO admins)",
    responses={409: {"description": "The key is taken"}},
)
async def create(body: MethodologyIn, principal: AdminPrincipal, once: OnceDep) -> JSONResponse:
    """Store version 1 and publish standards.methodology.published."""
    methodology = _methodology_from(body.key, body)

    async def publish() -> MethodologyOut:
        published = await create_methodology(
            once.session, methodology=methodology, published_by=actor_name(principal)
        )
        return MethodologyOut.model_validate(published)

    answer = await once.run(
        body, publish, location=lambda created: f"/v1/methodologies/{created.key}"
    )
    tag_response(answer, json.loads(bytes(answer.body)))
    return answer


@router.put(
    "/{key}",
    summary="Publish the next version of a methodology (PMO admins)",
    responses={
        409: {"description": "The revision is based on an older version"},
        412: {"description": "If-Match does not match the current version's ETag"},
    },
)
async def revise(
    key: str,
    body: MethodologyRevisionIn,
    principal: AdminPrincipal,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> MethodologyOut:
    """Store and publish version n+1; an unchanged definition keeps version n. With If-Match,
    only while the methodology is still as read (412 otherwise); without it, unconditionally."""
    if body.key is not None and body.key != key:
        raise field_problem("body.key", f"must match the key in the path ('{key}') or be left out")
    await find_methodology(session, key=key)  # an unknown key is a 404 before any 422

    def still_as_read(current: PublishedMethodology) -> None:
        require_match(if_match, MethodologyOut.model_validate(current))

    published, _changed = await revise_methodology(
        session,
        methodology=_methodology_from(key, body),
        expected_version=body.version,
        published_by=actor_name(principal),
        check=still_as_read,
    )
    revised = MethodologyOut.model_validate(published)
    tag_response(response, revised)
    return revised
