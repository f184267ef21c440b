"""Reads of scenarios; callers check access."""

from __future__ import annotations

from pmo_common.web.pagination import PageRequest
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db import scenario_repository
from pmo_intake.domain.demand_records import Scenario
from pmo_intake.handlers.problems import found


async def get_scenario(
    session: AsyncSession, *, portfolio_id: str, scenario_id: str, for_update: bool = False
) -> Scenario:
    """One scenario of the portfolio (404 when the portfolio has none with this id)."""
    scenario = await scenario_repository.get_scenario(
        session, portfolio_id=portfolio_id, scenario_id=scenario_id, for_update=for_update
    )
    return found(scenario, "scenario", scenario_id)


async def list_scenarios(
    session: AsyncSession, *, portfolio_id: str, page: PageRequest
) -> list[Scenario]:
    """A page of the portfolio's scenarios, newest first (empty for an unknown portfolio, as
    any filtered list that matches nothing)."""
    return await scenario_repository.list_scenarios(session, portfolio_id=portfolio_id, page=page)
