"""Routes of portfolios."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from pmo_common.auth.dependencies import CurrentPrincipal
from pmo_common.web.app_factory import SessionDep
from pmo_common.web.conditional import IfMatch
from pmo_common.web.idempotency import OnceDep
from pmo_common.web.pagination import Page, PageDep

from pmo_intake.api.access import PortfolioManager, RegistryEditor
from pmo_intake.api.conditional_writes import tagged, with_etag, written_if_matching
from pmo_intake.api.schemas import PortfolioCreate, PortfolioOut, PortfolioPatch
from pmo_intake.handlers import conditional_writes, portfolio_commands, portfolio_queries

router = APIRouter(prefix="/v1", tags=["portfolios"])


@router.post("/portfolios", status_code=201, response_model=PortfolioOut)
async def create_portfolio(body: PortfolioCreate, _: RegistryEditor, once: OnceDep) -> JSONResponse:
    """Create a portfolio (PMO admins and portfolio managers); its owner becomes its first
    portfolio_manager member."""
    create = partial(portfolio_commands.create_portfolio, once.session, **body.model_dump())
    return tagged(await once.run(body, lambda: PortfolioOut.of_result(create())))


@router.get("/portfolios", response_model=Page[PortfolioOut])
async def list_portfolios(
    _: CurrentPrincipal, session: SessionDep, page: PageDep
) -> Page[PortfolioOut]:
    """All portfolios, by name."""
    portfolios = await portfolio_queries.list_portfolios(session, page=page)
    return PortfolioOut.page_of(portfolios, page)


@router.get("/portfolios/{portfolio_id}", response_model=PortfolioOut)
async def read_portfolio(
    portfolio_id: str, _: CurrentPrincipal, session: SessionDep, response: Response
) -> PortfolioOut:
    """One portfolio."""
    portfolio = await portfolio_queries.get_portfolio(session, portfolio_id=portfolio_id)
    return with_etag(response, PortfolioOut.model_validate(portfolio))


@router.patch("/portfolios/{portfolio_id}", response_model=PortfolioOut)
async def patch_portfolio(
    portfolio_id: str,
    body: PortfolioPatch,
    _: PortfolioManager,
    session: SessionDep,
    response: Response,
    if_match_header: IfMatch = None,
) -> PortfolioOut:
    """Change a portfolio (a PMO admin or one of its portfolio managers); a new owner becomes
    a portfolio_manager member, the previous one stays a member until removed."""
    change = partial(
        portfolio_commands.change_portfolio,
        session,
        portfolio_id=portfolio_id,
        changes=body.model_dump(exclude_unset=True),
    )
    return await written_if_matching(
        session,
        response,
        lock=conditional_writes.locked_portfolio,
        record_id=portfolio_id,
        if_match_header=if_match_header,
        shown_as=PortfolioOut,
        write=change,
    )
