"""Routes of portfolio membership (ADR 0026): who manages or views which portfolio."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
from fastapi.responses import JSONResponse
from pmo_common.web.app_factory import SessionDep
from pmo_common.web.pagination import Page, PageDep

from pmo_intake.api.access import PortfolioManager, PortfolioReader, requester_name
from pmo_intake.api.member_schemas import MemberIn, MemberOut
from pmo_intake.handlers import portfolio_member_commands, portfolio_member_queries

router = APIRouter(prefix="/v1/portfolios/{portfolio_id}/members", tags=["portfolios"])

MemberEmail = Annotated[str, Path(min_length=3, max_length=320)]


@router.post(
    "",
    status_code=201,
    response_model=MemberOut,
    responses={200: {"model": MemberOut, "description": "Already a member: the role as now"}},
)
async def add_member(
    portfolio_id: str, body: MemberIn, principal: PortfolioManager, session: SessionDep
) -> JSONResponse:
    """Give a person a role in the portfolio (PMO admins and the portfolio's managers): 201
    for a new member; 200 when they were a member already, with their role changed to the one
    asked (or unchanged: asking twice is harmless, so no Idempotency-Key is needed)."""
    member, outcome = await portfolio_member_commands.add_member(
        session,
        portfolio_id=portfolio_id,
        email=str(body.email),
        role=body.role,
        actor=requester_name(principal),
    )
    answer = MemberOut.model_validate(member).model_dump(mode="json")
    return JSONResponse(answer, status_code=201 if outcome == "added" else 200)


@router.get("", response_model=Page[MemberOut])
async def list_members(
    portfolio_id: str, _: PortfolioReader, session: SessionDep, page: PageDep
) -> Page[MemberOut]:
    """The portfolio's members by e-mail (PMO admins, global viewers and its members)."""
    members = await portfolio_member_queries.list_members(
        session, portfolio_id=portfolio_id, page=page
    )
    return MemberOut.page_of(members, page)


@router.delete("/{email}", status_code=204)
async def remove_member(
    portfolio_id: str, email: MemberEmail, principal: PortfolioManager, session: SessionDep
) -> Response:
    """Take a person's role in the portfolio back (PMO admins and the portfolio's managers);
    404 when they are not a member."""
    await portfolio_member_commands.remove_member(
        session, portfolio_id=portfolio_id, email=email, actor=requester_name(principal)
    )
    return Response(status_code=204)
