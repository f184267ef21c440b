"""Reads of programmes: one (404 when unknown), or a page of them from the repository."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db import program_repository as repo
from pmo_intake.db.program_repository import list_programs
from pmo_intake.domain.records import Program
from pmo_intake.handlers.problems import found

__all__ = ["get_program", "list_programs"]


async def get_program(session: AsyncSession, *, program_id: str) -> Program:
    """One programme (404 when there is none)."""
    return found(await repo.get_program(session, program_id=program_id), "programme", program_id)
