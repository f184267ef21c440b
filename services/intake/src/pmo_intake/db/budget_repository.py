"""Reads and writes of portfolios' budget envelopes, and what the registry commits of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from pmo_common.db.rows import fetch_where, record_from
from sqlalchemy import ColumnElement, RowMapping, Table, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db.tables import portfolio_budgets, projects
from pmo_intake.domain.demand_records import BudgetEnvelope


def _row(portfolio_id: str, year: int) -> ColumnElement[bool]:
    return (portfolio_budgets.c.portfolio_id == portfolio_id) & (portfolio_budgets.c.year == year)


def _envelope(row: RowMapping) -> BudgetEnvelope:
    return record_from(BudgetEnvelope, row, committed=0.0)


async def committed_in(session: AsyncSession, *, portfolio_id: str, year: int) -> float:
    """The budgets of the portfolio's projects that start in `year` (closed ones included:
    their money was committed all the same)."""
    query = select(func.coalesce(func.sum(projects.c.budget), 0.0)).where(
        projects.c.portfolio_id == portfolio_id,
        projects.c.start_date >= date(year, 1, 1),
        projects.c.start_date <= date(year, 12, 31),
    )
    return float(await session.scalar(query) or 0.0)


async def get_envelope(
    session: AsyncSession, *, portfolio_id: str, year: int
) -> BudgetEnvelope | None:
    """The portfolio's envelope for the year with what is committed of it, or None."""
    envelope = await fetch_where(session, portfolio_budgets, _row(portfolio_id, year), _envelope)
    if envelope is None:
        return None
    committed = await committed_in(session, portfolio_id=portfolio_id, year=year)
    return replace(envelope, committed=committed)


def _upsert(insert_: Callable[[Table], Any]) -> Any:
    statement = insert_(portfolio_budgets)
    replaced = ("amount", "updated_by", "updated_at")
    return statement.on_conflict_do_update(
        index_elements=[portfolio_budgets.c.portfolio_id, portfolio_budgets.c.year],
        set_={name: statement.excluded[name] for name in replaced},
    )


# One statement, not a read then an insert: two first PUTs of an envelope at once would both
# read "none" and the second insert would break the primary key.
_UPSERT = {"postgresql": _upsert(postgresql_insert), "sqlite": _upsert(sqlite_insert)}


async def set_envelope(session: AsyncSession, *, envelope: BudgetEnvelope) -> None:
    """Store the amount of the portfolio's envelope for the year (replacing an earlier one)."""
    values = {
        "portfolio_id": envelope.portfolio_id,
        "year": envelope.year,
        "amount": envelope.amount,
        "updated_by": envelope.updated_by,
        "updated_at": envelope.updated_at,
    }
    dialect = session.get_bind().dialect.name
    await session.execute(_UPSERT[dialect], values)
