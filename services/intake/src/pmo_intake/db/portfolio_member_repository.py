"""Reads and writes of portfolio members (e-mails in lower case, as the caller gives them)."""

from __future__ import annotations

from typing import Any

from pmo_common.db.rows import fetch_page, fetch_where, insert_or_replace, values_of
from pmo_common.web.pagination import PageRequest
from sqlalchemy import Column, ColumnElement, delete, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db.tables import portfolio_members, portfolios
from pmo_intake.domain.portfolio_roles import ListScope, PortfolioMember, PortfolioRole


def _row(portfolio_id: str, email: str) -> ColumnElement[bool]:
    return (portfolio_members.c.portfolio_id == portfolio_id) & (portfolio_members.c.email == email)


async def lock_portfolio(session: AsyncSession, *, portfolio_id: str) -> bool:
    """Lock the portfolio's row (PostgreSQL) so its membership changes go one at a time;
    whether the portfolio exists."""
    query = select(portfolios.c.id).where(portfolios.c.id == portfolio_id).with_for_update()
    return await session.scalar(query) is not None


async def get_member(
    session: AsyncSession, *, portfolio_id: str, email: str
) -> PortfolioMember | None:
    """The member with this (lower-case) e-mail, or None."""
    return await fetch_where(session, portfolio_members, _row(portfolio_id, email), PortfolioMember)


async def store_member(session: AsyncSession, *, member: PortfolioMember, exists: bool) -> None:
    """Add the member, or replace the one that `exists` (its role changes)."""
    await insert_or_replace(
        session,
        portfolio_members,
        values_of(member),
        row=_row(member.portfolio_id, member.email),
        exists=exists,
    )


async def delete_member(session: AsyncSession, *, portfolio_id: str, email: str) -> None:
    """Take the member out of the portfolio."""
    await session.execute(delete(portfolio_members).where(_row(portfolio_id, email)))


async def list_members(
    session: AsyncSession, *, portfolio_id: str, page: PageRequest
) -> list[PortfolioMember]:
    """A page of the portfolio's members, by e-mail."""
    query = select(portfolio_members).where(portfolio_members.c.portfolio_id == portfolio_id)
    return await fetch_page(
        session, query.order_by(portfolio_members.c.email), PortfolioMember, page
    )


async def roles_of(session: AsyncSession, *, email: str) -> dict[str, PortfolioRole]:
    """The (lower-case) e-mail's role in each portfolio it is a member of, by portfolio id."""
    query = select(portfolio_members.c.portfolio_id, portfolio_members.c.role).where(
        portfolio_members.c.email == email
    )
    return {row.portfolio_id: row.role for row in (await session.execute(query)).all()}


def within_scope(
    scope: ListScope, own: Column[Any], portfolio_id: Column[Any]
) -> ColumnElement[bool]:
    """Rows whose `own` column names the scope's e-mail (case-insensitively) or whose
    portfolio is one of the scope's: what a caller who does not read everything may list."""
    mine = func.lower(own) == scope.email.lower() if scope.email else false()
    if not scope.portfolio_ids:
        return mine
    return or_(mine, portfolio_id.in_(sorted(scope.portfolio_ids)))
