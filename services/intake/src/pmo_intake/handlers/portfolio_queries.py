"""Reads of portfolios: one (404 when unknown), or a page of them from the repository."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db import portfolio_repository as repo
from pmo_intake.db.portfolio_repository import list_portfolios
from pmo_intake.domain.records import Portfolio
from pmo_intake.handlers.problems import found

__all__ = ["get_portfolio", "list_portfolios"]


async def get_portfolio(session: AsyncSession, *, portfolio_id: str) -> Portfolio:
    """One portfolio (404 when there is none)."""
    portfolio = await repo.get_portfolio(session, portfolio_id=portfolio_id)
    return found(portfolio, "portfolio", portfolio_id)
