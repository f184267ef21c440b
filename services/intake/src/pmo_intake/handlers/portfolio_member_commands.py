"""Use cases of portfolio membership (ADR 0026): grant a role, change it, take it back. Each
change publishes intake.portfolio.member_added / member_removed and is audited, in the same
transaction as the change."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pmo_common.audit.actor import acting_principal
from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.events.catalog import (
    PORTFOLIO_MEMBER_ADDED,
    PORTFOLIO_MEMBER_REMOVED,
    EventSpec,
)
from pmo_common.events.payloads import PortfolioMembership
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db import portfolio_member_repository as repo
from pmo_intake.db.outbox import outbox
from pmo_intake.domain.portfolio_roles import PortfolioMember, PortfolioRole, normalised_email
from pmo_intake.domain.records import Portfolio
from pmo_intake.handlers.audit_records import record_change
from pmo_intake.handlers.problems import found

Outcome = Literal["added", "changed", "unchanged"]


async def add_member(
    session: AsyncSession, *, portfolio_id: str, email: str, role: PortfolioRole, actor: str
) -> tuple[PortfolioMember, Outcome]:
    """Give `email` the role in the portfolio (404 when there is no such portfolio): a new
    member is `added`, a member holding another role has it `changed`, and asking again for
    the role a member holds changes nothing (`unchanged`: no event, no audit record)."""
    async with unit_of_work(session):
        await _locked_portfolio(session, portfolio_id)
        return await grant(session, portfolio_id=portfolio_id, email=email, role=role, actor=actor)


async def grant(
    session: AsyncSession, *, portfolio_id: str, email: str, role: PortfolioRole, actor: str
) -> tuple[PortfolioMember, Outcome]:
    """`add_member` inside the caller's unit of work, for a portfolio it holds or just made
    (the owner of a new portfolio, or the new owner a PATCH names)."""
    email = normalised_email(email)
    current = await repo.get_member(session, portfolio_id=portfolio_id, email=email)
    if current is not None and current.role == role:
        return current, "unchanged"
    now = datetime.now(UTC)
    member = PortfolioMember(portfolio_id, email, role, added_by=actor, added_at=now)
    await repo.store_member(session, member=member, exists=current is not None)
    await _announce(session, PORTFOLIO_MEMBER_ADDED, member, actor, now)
    verb = "added" if current is None else "updated"
    await record_change(
        session, f"portfolio_member.{verb}", _resource_id(member), before=current, after=member
    )
    return member, "added" if current is None else "changed"


async def remove_member(
    session: AsyncSession, *, portfolio_id: str, email: str, actor: str
) -> PortfolioMember:
    """Take the member's role in the portfolio back (404 when the portfolio or the member is
    unknown)."""
    async with unit_of_work(session):
        await _locked_portfolio(session, portfolio_id)
        email = normalised_email(email)
        member = found(
            await repo.get_member(session, portfolio_id=portfolio_id, email=email),
            "portfolio member",
            email,
        )
        await repo.delete_member(session, portfolio_id=portfolio_id, email=email)
        await _announce(session, PORTFOLIO_MEMBER_REMOVED, member, actor, datetime.now(UTC))
        await record_change(
            session, "portfolio_member.removed", _resource_id(member), before=member
        )
    return member


async def _locked_portfolio(session: AsyncSession, portfolio_id: str) -> None:
    exists = await repo.lock_portfolio(session, portfolio_id=portfolio_id)
    found(portfolio_id if exists else None, "portfolio", portfolio_id)


async def _announce(
    session: AsyncSession,
    spec: EventSpec[PortfolioMembership],
    member: PortfolioMember,
    actor: str,
    at: datetime,
) -> None:
    payload = PortfolioMembership(
        portfolio_id=member.portfolio_id,
        email=member.email,
        role=member.role,
        changed_by=actor,
        changed_at=at,
    )
    # Keyed by the portfolio, so one portfolio's membership changes arrive in order.
    await outbox.enqueue(session, spec, payload, subject=member.portfolio_id)


def _resource_id(member: PortfolioMember) -> str:
    return f"{member.portfolio_id}/{member.email}"


async def owner_manages(
    session: AsyncSession, *, portfolio: Portfolio, before: Portfolio | None = None
) -> None:
    """A new portfolio's owner, and the new owner a change names, become portfolio_manager
    members (inside the caller's unit of work); a previous owner stays a member until removed."""
    if before is not None and normalised_email(before.owner) == normalised_email(portfolio.owner):
        return
    granted_by = acting_principal.get()
    actor = (granted_by.email or granted_by.subject) if granted_by else f"service:{outbox.service}"
    await grant(
        session,
        portfolio_id=portfolio.id,
        email=portfolio.owner,
        role="portfolio_manager",
        actor=actor,
    )
