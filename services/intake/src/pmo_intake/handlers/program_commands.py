"""Use cases of programmes: create one, optionally within a portfolio, and change it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.problems import field_problem
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db import portfolio_repository
from pmo_intake.db import program_repository as repo
from pmo_intake.domain.records import Program
from pmo_intake.handlers.audit_records import record_change
from pmo_intake.handlers.new_records import new_record
from pmo_intake.handlers.problems import name_taken, refuse_a_taken_name
from pmo_intake.handlers.program_queries import get_program
from pmo_intake.handlers.program_rehoming import rehome_projects


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
        await record_change(session, "program.created", program.id, after=program)
    return program


async def change_program(
    session: AsyncSession, *, program_id: str, changes: Mapping[str, Any], actor: str
) -> Program:
    """Change a programme's name (one no other programme has), owner, description or portfolio
    (an existing one, or none; 404 when there is no such programme). Moved into a portfolio,
    it takes its active projects along: each is re-homed and announced (project.updated)."""
    async with unit_of_work(session):
        program = await get_program(session, program_id=program_id)
        portfolio_id = changes.get("portfolio_id", program.portfolio_id)
        if portfolio_id and portfolio_id != program.portfolio_id:
            await _check_destination(session, portfolio_id)
        await refuse_a_taken_name(
            changes, program.name, lambda name: repo.name_taken(session, name=name)
        )
        changed = replace(program, **changes)
        await repo.update_program(session, program=changed)
        await record_change(session, "program.updated", program.id, before=program, after=changed)
        if changed.portfolio_id != program.portfolio_id:
            await rehome_projects(session, program=changed, actor=actor)
    return changed


async def _check_destination(session: AsyncSession, portfolio_id: str) -> None:
    if not await portfolio_repository.portfolio_exists(session, portfolio_id=portfolio_id):
        raise field_problem("body.portfolio_id", "no portfolio with this id exists")
