"""Routes of programmes."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pmo_common.auth.dependencies import CurrentPrincipal
from pmo_common.web.app_factory import SessionDep
from pmo_common.web.idempotency import OnceDep
from pmo_common.web.pagination import Page, PageDep

from pmo_intake.api.access import RegistryEditor, ensure_can_change_grouping
from pmo_intake.api.schemas import ProgramCreate, ProgramOut, ProgramPatch
from pmo_intake.domain.records import Program
from pmo_intake.handlers import program_commands, program_queries

# Programmes share the "portfolios" tag with portfolios, as they always have in the API docs.
router = APIRouter(prefix="/v1", tags=["portfolios"])


@router.post("/programs", status_code=201, response_model=ProgramOut)
async def create_program(body: ProgramCreate, _: RegistryEditor, once: OnceDep) -> JSONResponse:
    """Create a programme, optionally within a portfolio."""
    create = partial(program_commands.create_program, once.session, **body.model_dump())
    return await once.run(body, lambda: ProgramOut.of_result(create()))


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
async def read_program(program_id: str, _: CurrentPrincipal, session: SessionDep) -> Program:
    """One programme."""
    return await program_queries.get_program(session, program_id=program_id)


@router.patch("/programs/{program_id}", response_model=ProgramOut)
async def patch_program(
    program_id: str, body: ProgramPatch, principal: CurrentPrincipal, session: SessionDep
) -> Program:
    """Change a programme (a PMO admin or its owner)."""
    program = await program_queries.get_program(session, program_id=program_id)
    ensure_can_change_grouping(principal, program.owner)
    return await program_commands.change_program(
        session, program_id=program.id, changes=body.model_dump(exclude_unset=True)
    )
