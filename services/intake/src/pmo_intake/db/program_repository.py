"""Reads and writes of programmes."""

from __future__ import annotations

from pmo_common.db.rows import fetch_by_id, fetch_page, matching, update_by_id, values_of
from pmo_common.web.pagination import PageRequest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db.tables import programs
from pmo_intake.domain.records import Program


async def insert_program(session: AsyncSession, *, program: Program) -> None:
    """Add a programme."""
    await session.execute(insert(programs).values(**values_of(program)))


async def name_taken(session: AsyncSession, *, name: str) -> bool:
    """Whether a programme already has this name."""
    found = await session.scalar(select(programs.c.id).where(programs.c.name == name))
    return found is not None


async def get_program(
    session: AsyncSession, *, program_id: str, for_update: bool = False
) -> Program | None:
    """One programme, or None; `for_update` locks it (PostgreSQL)."""
    return await fetch_by_id(session, programs, program_id, Program, for_update=for_update)


async def list_programs(
    session: AsyncSession, *, portfolio_id: str | None, page: PageRequest
) -> list[Program]:
    """A page of programmes by name, only those of one portfolio when it is given."""
    query = matching(select(programs), (programs.c.portfolio_id, portfolio_id))
    return await fetch_page(session, query.order_by(programs.c.name), Program, page)


async def update_program(session: AsyncSession, *, program: Program) -> None:
    """Store the programme's current state."""
    await update_by_id(session, programs, values_of(program))
