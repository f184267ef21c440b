"""Routes of portfolios."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pmo_common.auth.dependencies import CurrentPrincipal
from pmo_common.web.app_factory import SessionDep
from pmo_common.web.idempotency import OnceDep
from pmo_common.web.pagination import Page, PageDep

from pmo_intake.api.access import RegistryEditor
from pmo_intake.api.schemas import PortfolioCreate, PortfolioOut
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
