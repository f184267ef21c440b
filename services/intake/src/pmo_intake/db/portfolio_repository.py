"""Reads and writes of portfolios and programmes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db.tables import portfolios, programs


async def insert_row(session: AsyncSession, table: Table, values: dict[str, Any]) -> None:
    """Add a portfolio or programme."""
    await session.execute(insert(table).values(**values))


async def name_taken(session: AsyncSession, table: Table, name: str) -> bool:
    """Whether a portfolio or programme already has this name."""
    return await session.scalar(select(table.c.id).where(table.c.name == name)) is not None


async def list_rows(
    session: AsyncSession, table: Table, *, limit: int, offset: int, portfolio_id: str | None = None
) -> list[dict[str, Any]]:
    """Portfolios or programmes by name."""
    query = select(table).order_by(table.c.name).limit(limit).offset(offset)
    if portfolio_id is not None and table is programs:
        query = query.where(programs.c.portfolio_id == portfolio_id)
    return [dict(row._mapping) for row in (await session.execute(query)).all()]


async def get_portfolio(session: AsyncSession, portfolio_id: str) -> dict[str, Any] | None:
    """One portfolio, or None."""
    row = (await session.execute(select(portfolios).where(portfolios.c.id == portfolio_id))).first()
    return dict(row._mapping) if row is not None else None
