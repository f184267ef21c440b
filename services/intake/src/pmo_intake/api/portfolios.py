"""Routes of portfolios."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pmo_common.auth.dependencies import CurrentPrincipal
from pmo_common.web.app_factory import SessionDep
from pmo_common.web.idempotency import OnceDep
from pmo_common.web.pagination import Page, PageDep

from pmo_intake.api.access import RegistryEditor, ensure_can_change_grouping
from pmo_intake.api.schemas import PortfolioCreate, PortfolioOut, PortfolioPatch
from pmo_intake.domain.records import Portfolio
from pmo_intake.handlers import portfolio_commands, portfolio_queries

router = APIRouter(prefix="/v1", tags=["portfolios"])


@router.post("/portfolios", status_code=201, response_model=PortfolioOut)
async def create_portfolio(body: PortfolioCreate, _: RegistryEditor, once: OnceDep) -> JSONResponse:
    """Create a portfolio (PMO admins and portfolio managers)."""
    create = partial(portfolio_commands.create_portfolio, once.session, **body.model_dump())
    return await once.run(body, lambda: PortfolioOut.of_result(create()))


@router.get("/portfolios", response_model=Page[PortfolioOut])
async def list_portfolios(
    _: CurrentPrincipal, session: SessionDep, page: PageDep
) -> Page[PortfolioOut]:
    """All portfolios, by name."""
    portfolios = await portfolio_queries.list_portfolios(session, page=page)
    return PortfolioOut.page_of(portfolios, page)


@router.get("/portfolios/{portfolio_id}", response_model=PortfolioOut)
async def read_portfolio(portfolio_id: str, _: CurrentPrincipal, session: SessionDep) -> Portfolio:
    """One portfolio."""
    return await portfolio_queries.get_portfolio(session, portfolio_id=portfolio_id)


@router.patch("/portfolios/{portfolio_id}", response_model=PortfolioOut)
async def patch_portfolio(
    portfolio_id: str, body: PortfolioPatch, principal: CurrentPrincipal, session: SessionDep
) -> Portfolio:
    """Change a portfolio (a PMO admin or its owner)."""
    portfolio = await portfolio_queries.get_portfolio(session, portfolio_id=portfolio_id)
    ensure_can_change_grouping(principal, portfolio.owner)
    return await portfolio_commands.change_portfolio(
        session, portfolio_id=portfolio.id, changes=body.model_dump(exclude_unset=True)
    )
