"""Routes of portfolios' budget envelopes (one per fiscal year: the calendar year)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pmo_common.web.app_factory import SessionDep
from pmo_common.web.inputs import EARLIEST_DATE, LATEST_DATE

from pmo_intake.api.access import PortfolioReviewer, requester_name
from pmo_intake.api.demand_schemas import BudgetOut
from pmo_intake.api.schemas import BudgetIn
from pmo_intake.handlers import budget_commands

router = APIRouter(prefix="/v1/portfolios/{portfolio_id}/budgets", tags=["portfolios"])
Year = Annotated[int, Path(ge=EARLIEST_DATE.year, le=LATEST_DATE.year)]


@router.put("/{year}")
async def set_budget(
    portfolio_id: str, year: Year, body: BudgetIn, principal: PortfolioReviewer, session: SessionDep
) -> BudgetOut:
    """Set what the portfolio may commit to projects starting in the year (PMO admins and
    portfolio managers); answers with what is committed already."""
    envelope = await budget_commands.set_budget(
        session,
        portfolio_id=portfolio_id,
        year=year,
        amount=body.amount,
        actor=requester_name(principal),
    )
    return BudgetOut.model_validate(envelope)


@router.get("/{year}")
async def read_budget(
    portfolio_id: str, year: Year, _: PortfolioReviewer, session: SessionDep
) -> BudgetOut:
    """The portfolio's envelope for the year, what is committed of it and what is left."""
    envelope = await budget_commands.read_budget(session, portfolio_id=portfolio_id, year=year)
    return BudgetOut.model_validate(envelope)
