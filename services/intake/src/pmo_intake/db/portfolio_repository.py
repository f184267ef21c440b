"""Reads and writes of portfolios."""

from __future__ import annotations

from pmo_common.db.rows import fetch_by_id, fetch_page, update_by_id, values_of
from pmo_common.web.pagination import PageRequest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db.tables import portfolios
from pmo_intake.domain.records import Portfolio


async def insert_portfolio(session: AsyncSession, *, portfolio: Portfolio) -> None:
    """Add a portfolio."""
    await session.execute(insert(portfolios).values(**values_of(portfolio)))


async def name_taken(session: AsyncSession, *, name: str) -> bool:
    """Whether a portfolio already has this name."""
    found = await session.scalar(select(portfolios.c.id).where(portfolios.c.name == name))
    return found is not None


async def portfolio_exists(session: AsyncSession, *, portfolio_id: str) -> bool:
    """Whether the portfolio exists."""
    found = await session.scalar(select(portfolios.c.id).where(portfolios.c.id == portfolio_id))
    return found is not None


async def get_portfolio(
    session: AsyncSession, *, portfolio_id: str, for_update: bool = False
) -> Portfolio | None:
    """One portfolio, or None; `for_update` locks it (PostgreSQL)."""
    return await fetch_by_id(session, portfolios, portfolio_id, Portfolio, for_update=for_update)


async def list_portfolios(session: AsyncSession, *, page: PageRequest) -> list[Portfolio]:
    """A page of portfolios, by name."""
    query = select(portfolios).order_by(portfolios.c.name)
    return await fetch_page(session, query, Portfolio, page)


async def update_portfolio(session: AsyncSession, *, portfolio: Portfolio) -> None:
    """Store the portfolio's current state."""
    await update_by_id(session, portfolios, values_of(portfolio))
