"""The programme's portfolio (ADR 0026): a project registered under a programme that belongs
to a portfolio belongs to that portfolio, whatever else it names."""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

from pmo_common.problems import field_problem
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db import program_repository
from pmo_intake.domain.records import Baseline

B = TypeVar("B", bound=Baseline)


async def with_programme_portfolio(
    session: AsyncSession, baseline: B, *, explicit: bool, location: str = "body"
) -> B:
    """The project with its programme's portfolio as its own; 422 naming
    `<location>.portfolio_id` when the caller gave (`explicit`) another one. A programme
    outside any portfolio, or an unknown one (validation names it), leaves the project as is."""
    if baseline.program_id is None:
        return baseline
    program = await program_repository.get_program(session, program_id=baseline.program_id)
    if program is None or program.portfolio_id in (None, baseline.portfolio_id):
        return baseline
    if explicit:
        raise field_problem(
            f"{location}.portfolio_id",
            f"the programme {program.id} belongs to portfolio {program.portfolio_id}; "
            "leave portfolio_id out or give that one",
        )
    return replace(baseline, portfolio_id=program.portfolio_id)


async def effective_portfolio(session: AsyncSession, baseline: Baseline) -> str | None:
    """The portfolio the project is (or would be) in: its programme's when that has one, else
    the one it names (an access check's question, asked before the 422 a conflict earns)."""
    return (await with_programme_portfolio(session, baseline, explicit=False)).portfolio_id
