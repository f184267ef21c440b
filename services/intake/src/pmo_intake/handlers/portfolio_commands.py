"""Use cases of portfolios: create one."""

from __future__ import annotations

from pmo_common.db.unit_of_work import unit_of_work
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db import portfolio_repository as repo
from pmo_intake.domain.records import Portfolio
from pmo_intake.handlers.new_records import new_record
from pmo_intake.handlers.problems import name_taken


async def create_portfolio(
    session: AsyncSession, *, name: str, owner: str, description: str | None
) -> Portfolio:
    """Add a portfolio under a name no other portfolio has."""
    async with unit_of_work(session):
        if await repo.name_taken(session, name=name):
            raise name_taken(name)
        portfolio = new_record(Portfolio, name=name, owner=owner, description=description)
        await repo.insert_portfolio(session, portfolio=portfolio)
    return portfolio
