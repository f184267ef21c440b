"""Use cases of budget envelopes: set what a portfolio may spend in a year, and read it with
what is committed of it."""

from __future__ import annotations

from datetime import UTC, datetime

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.problems import not_found
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db import budget_repository, portfolio_repository
from pmo_intake.domain.demand_records import BudgetEnvelope
from pmo_intake.handlers.audit_records import record_change


async def set_budget(
    session: AsyncSession, *, portfolio_id: str, year: int, amount: float, actor: str
) -> BudgetEnvelope:
    """Set (or replace) the portfolio's envelope for the year."""
    async with unit_of_work(session):
        await ensure_portfolio(session, portfolio_id=portfolio_id)
        before = await budget_repository.get_envelope(session, portfolio_id=portfolio_id, year=year)
        envelope = BudgetEnvelope(
            portfolio_id=portfolio_id,
            year=year,
            amount=amount,
            updated_by=actor,
            updated_at=datetime.now(UTC),
        )
        await budget_repository.set_envelope(session, envelope=envelope)
        after = await read_budget(session, portfolio_id=portfolio_id, year=year)
        await record_change(
            session,
            "budget_envelope.created" if before is None else "budget_envelope.updated",
            f"{portfolio_id}/{year}",
            before=before,
            after=after,
        )
        return after


async def read_budget(session: AsyncSession, *, portfolio_id: str, year: int) -> BudgetEnvelope:
    """The portfolio's envelope for the year with what is committed (404 when none is set)."""
    envelope = await budget_repository.get_envelope(session, portfolio_id=portfolio_id, year=year)
    if envelope is None:
        await ensure_portfolio(session, portfolio_id=portfolio_id)
        raise not_found(
            "budget envelope", f"{portfolio_id}/{year}", "Set one with PUT on this path."
        )
    return envelope


async def ensure_portfolio(session: AsyncSession, *, portfolio_id: str) -> None:
    """404 unless the portfolio exists."""
    if not await portfolio_repository.portfolio_exists(session, portfolio_id=portfolio_id):
        raise not_found("portfolio", portfolio_id)
