"""Routes of programmes."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse
from pmo_common.auth.dependencies import CurrentPrincipal
from pmo_common.web.app_factory import SessionDep
from pmo_common.web.conditional import IfMatch
from pmo_common.web.idempotency import OnceDep
from pmo_common.web.pagination import Page, PageDep

from pmo_intake.api.access import (
    CallerDep,
    RegistryEditor,
    ensure_can_change_program,
    ensure_can_create_program,
    requester_name,
)
from pmo_intake.api.conditional_writes import tagged, with_etag, written_if_matching
from pmo_intake.api.schemas import ProgramCreate, ProgramOut, ProgramPatch
from pmo_intake.handlers import conditional_writes, program_commands, program_queries

# Programmes share the "portfolios" tag with portfolios, as they always have in the API docs.
router = APIRouter(prefix="/v1", tags=["portfolios"])


@router.post("/programs", status_code=201, response_model=ProgramOut)
async def create_program(
    body: ProgramCreate, _: RegistryEditor, caller: CallerDep, once: OnceDep
) -> JSONResponse:
    """Create a programme, optionally within a portfolio (PMO admins, and portfolio managers
    within a portfolio they manage or outside any)."""
    ensure_can_create_program(caller, body.portfolio_id)
    create = partial(program_commands.create_program, once.session, **body.model_dump())
    return tagged(await once.run(body, lambda: ProgramOut.of_result(create())))


@router.get("/programs", response_model=Page[ProgramOut])
async def list_programs(
    _: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
    portfolio_id: Annotated[str | None, Query(max_length=36)] = None,
) -> Page[ProgramOut]:
    """Programmes, optionally of one portfolio."""
    programs = await program_queries.list_programs(session, portfolio_id=portfolio_id, page=page)
    return ProgramOut.page_of(programs, page)


@router.get("/programs/{program_id}", response_model=ProgramOut)
async def read_program(
    program_id: str, _: CurrentPrincipal, session: SessionDep, response: Response
) -> ProgramOut:
    """One programme."""
    program = await program_queries.get_program(session, program_id=program_id)
    return with_etag(response, ProgramOut.model_validate(program))


@router.patch("/programs/{program_id}", response_model=ProgramOut)
async def patch_program(
    program_id: str,
    body: ProgramPatch,
    caller: CallerDep,
    session: SessionDep,
    response: Response,
    if_match_header: IfMatch = None,
) -> ProgramOut:
    """Change a programme (a PMO admin, its owner or a portfolio manager of its portfolio).
    Moving it to another portfolio (a PMO admin, or a manager of both portfolios) re-homes its
    active projects there, each announced with project.updated."""
    program = await program_queries.get_program(session, program_id=program_id)
    changes = body.model_dump(exclude_unset=True)
    ensure_can_change_program(caller, program, changes.get("portfolio_id", program.portfolio_id))
    change = partial(
        program_commands.change_program,
        session,
        program_id=program.id,
        changes=changes,
        actor=requester_name(caller),
    )
    return await written_if_matching(
        session,
        response,
        lock=conditional_writes.locked_program,
        record_id=program.id,
        if_match_header=if_match_header,
        shown_as=ProgramOut,
        write=change,
    )
