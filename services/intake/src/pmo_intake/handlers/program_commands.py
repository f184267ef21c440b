"""Use cases of programmes: create one, optionally within a portfolio."""

from __future__ import annotations

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.problems import field_problem
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db import portfolio_repository
from pmo_intake.db import program_repository as repo
from pmo_intake.domain.records import Program
from pmo_intake.handlers.new_records import new_record
from pmo_intake.handlers.problems import name_taken


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
