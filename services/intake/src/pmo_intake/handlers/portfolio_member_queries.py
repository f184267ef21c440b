"""Reads of portfolio membership: a portfolio's members, and a caller's roles in portfolios."""

from __future__ import annotations

from pmo_common.auth.principal import Principal
from pmo_common.portfolios.scope import NO_PORTFOLIOS, PortfolioScope
from pmo_common.web.pagination import PageRequest
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db import portfolio_member_repository as repo
from pmo_intake.db import portfolio_repository
from pmo_intake.domain.portfolio_roles import PortfolioMember, normalised_email
from pmo_intake.handlers.problems import found


async def list_members(
    session: AsyncSession, *, portfolio_id: str, page: PageRequest
) -> list[PortfolioMember]:
    """A page of the portfolio's members by e-mail (404 when there is no such portfolio)."""
    exists = await portfolio_repository.portfolio_exists(session, portfolio_id=portfolio_id)
    found(portfolio_id if exists else None, "portfolio", portfolio_id)
    return await repo.list_members(session, portfolio_id=portfolio_id, page=page)


async def scope_of(session: AsyncSession, principal: Principal) -> PortfolioScope:
    """The portfolios the caller reads (any membership) and acts for as portfolio manager (a
    portfolio_manager membership AND the portfolio_manager role; ADR 0026)."""
    if not principal.email:
        return NO_PORTFOLIOS
    roles = await repo.roles_of(session, email=normalised_email(principal.email))
    acts_as_manager = principal.has_any_role("portfolio_manager")
    managed = {
        pid for pid, role in roles.items() if role == "portfolio_manager" and acts_as_manager
    }
    return PortfolioScope(managed=frozenset(managed), readable=frozenset(roles))
