"""Use cases of programmes: create one, optionally within a portfolio, and change it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.problems import ProblemException, field_problem
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db import portfolio_repository, project_repository
from pmo_intake.db import program_repository as repo
from pmo_intake.domain.records import Program
from pmo_intake.handlers.new_records import new_record
from pmo_intake.handlers.problems import name_taken, refuse_a_taken_name
from pmo_intake.handlers.program_queries import get_program


async def create_program(
    session: AsyncSession,
    *,
    name: str,
    owner: str,
    portfolio_id: str | None,
    description: str | None,
) -> Program:
    """Add a programme under a name no other programme has, in an existing portfolio if any."""
    async with unit_of_work(session):
        if portfolio_id and not await portfolio_repository.portfolio_exists(
            session, portfolio_id=portfolio_id
        ):
            raise field_problem("body.portfolio_id", "no portfolio with this id exists")
        if await repo.name_taken(session, name=name):
            raise name_taken(name)
        program = new_record(
            Program, name=name, owner=owner, portfolio_id=portfolio_id, description=description
        )
        await repo.insert_program(session, program=program)
    return program


async def change_program(
    session: AsyncSession, *, program_id: str, changes: Mapping[str, Any]
) -> Program:
    """Change a programme's name (one no other programme has), owner, description or portfolio
    (an existing one, or none); 404 when there is no such programme, 409 when it would leave
    projects of the programme in another portfolio than the programme's."""
    async with unit_of_work(session):
        program = await get_program(session, program_id=program_id)
        portfolio_id = changes.get("portfolio_id", program.portfolio_id)
        if portfolio_id != program.portfolio_id:
            await _check_move(session, program, portfolio_id)
        await refuse_a_taken_name(
            changes, program.name, lambda name: repo.name_taken(session, name=name)
        )
        changed = replace(program, **changes)
        await repo.update_program(session, program=changed)
    return changed


async def _check_move(session: AsyncSession, program: Program, portfolio_id: str | None) -> None:
    if portfolio_id and not await portfolio_repository.portfolio_exists(
        session, portfolio_id=portfolio_id
    ):
        raise field_problem("body.portfolio_id", "no portfolio with this id exists")
    if portfolio_id is None:
        return  # a programme outside any portfolio may hold projects of any portfolio
    stranded = await project_repository.count_in_program_outside(
        session, program_id=program.id, portfolio_id=portfolio_id
    )
    if stranded:
        raise ProblemException(
            409,
            "Projects in another portfolio",
            f"{stranded} project(s) of this programme belong to another portfolio; "
            "move them first.",
            errors=[
                {
                    "field": "body.portfolio_id",
                    "reason": "projects of the programme belong to another portfolio",
                }
            ],
        )
