"""Reads and writes of portfolio scenarios."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from pmo_common.db.rows import fetch_page, fetch_where, record_from, update_by_id, values_of
from pmo_common.web.pagination import PageRequest
from sqlalchemy import RowMapping, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db.tables import scenarios
from pmo_intake.domain.demand_records import Scenario
from pmo_intake.domain.portfolio_selection import Dependency, FrontierPoint


def _scenario(row: RowMapping) -> Scenario:
    return record_from(
        Scenario,
        row,
        must_include=tuple(row["must_include"]),
        must_exclude=tuple(row["must_exclude"]),
        dependencies=tuple(Dependency(**item) for item in row["dependencies"]),
        selected=tuple(row["selected"]),
        frontier=tuple(FrontierPoint(**item) for item in row["frontier"]),
    )


def _columns(scenario: Scenario) -> dict[str, Any]:
    return values_of(
        scenario,
        capacity=dict(scenario.capacity),
        demands={key: dict(amounts) for key, amounts in scenario.demands.items()},
        must_include=list(scenario.must_include),
        must_exclude=list(scenario.must_exclude),
        dependencies=[asdict(item) for item in scenario.dependencies],
        selected=list(scenario.selected),
        frontier=[asdict(level) for level in scenario.frontier],
    )


async def insert_scenario(session: AsyncSession, *, scenario: Scenario) -> None:
    """Add a scenario."""
    await session.execute(insert(scenarios).values(**_columns(scenario)))


async def update_scenario(session: AsyncSession, *, scenario: Scenario) -> None:
    """Store the scenario's current state."""
    await update_by_id(session, scenarios, _columns(scenario))


async def get_scenario(
    session: AsyncSession, *, portfolio_id: str, scenario_id: str, for_update: bool = False
) -> Scenario | None:
    """One scenario of the portfolio, or None; `for_update` locks it (PostgreSQL)."""
    row = (scenarios.c.id == scenario_id) & (scenarios.c.portfolio_id == portfolio_id)
    return await fetch_where(session, scenarios, row, _scenario, for_update=for_update)


async def list_scenarios(
    session: AsyncSession, *, portfolio_id: str, page: PageRequest
) -> list[Scenario]:
    """A page of a portfolio's scenarios, newest first."""
    query = (
        select(scenarios)
        .where(scenarios.c.portfolio_id == portfolio_id)
        .order_by(scenarios.c.created_at.desc(), scenarios.c.id)
    )
    return await fetch_page(session, query, _scenario, page)
