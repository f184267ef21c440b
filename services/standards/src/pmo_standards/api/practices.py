"""Routes of /v1/practices: the searchable best-practice library."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pmo_common.web.app_factory import SessionDep
from pmo_common.web.idempotency import OnceDep
from pmo_common.web.pagination import Page, PageDep

from pmo_standards.api.access import AdminPrincipal, AnyRolePrincipal, actor_name
from pmo_standards.api.schemas import PracticeIn, PracticeOut
from pmo_standards.domain.practices import PracticeFilter, PracticeKind, search_needle
from pmo_standards.handlers.practice_commands import add_practice
from pmo_standards.handlers.practice_queries import find_practice, search_library

router = APIRouter(prefix="/v1/practices", tags=["practices"])


@router.get("", summary="Search the best-practice library")
async def search(
    _principal: AnyRolePrincipal,
    session: SessionDep,
    page: PageDep,
    q: Annotated[
        str | None,
        Query(max_length=200, description="Case-insensitive text found in title, body or tags"),
    ] = None,
    methodology: Annotated[
        str | None, Query(max_length=64, description="Only practices of this methodology")
    ] = None,
    kind: Annotated[
        PracticeKind | None, Query(description="Only practices, or only lessons of past cases")
    ] = None,
) -> Page[PracticeOut]:
    """Practices matching the filters, newest first."""
    # Folded like the text it is matched against, so the search ignores case in every alphabet.
    needle = search_needle(q) if q else None
    where = PracticeFilter(needle=needle, methodology=methodology, kind=kind)
    return PracticeOut.page_of(await search_library(session, where=where, page=page), page)


@router.get("/{practice_id}", summary="Read one best practice")
async def read_one(
    practice_id: str, _principal: AnyRolePrincipal, session: SessionDep
) -> PracticeOut:
    """One practice; 404 when unknown."""
    return PracticeOut.model_validate(await find_practice(session, practice_id=practice_id))


@router.post(
    "",
    status_code=201,
    response_model=PracticeOut,
    summary="Add a best practice to the library (PMO admins)",
)
async def create(body: PracticeIn, principal: AdminPrincipal, once: OnceDep) -> JSONResponse:
    """Store the practice."""

    async def add() -> PracticeOut:
        practice = await add_practice(once.session, practice=body.written_by(actor_name(principal)))
        return PracticeOut.model_validate(practice)

    return await once.run(body, add, location=lambda created: f"/v1/practices/{created.id}")
