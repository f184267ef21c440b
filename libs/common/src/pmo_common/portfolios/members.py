"""The projection of portfolio membership: one row per (portfolio, e-mail), newest event wins.

Membership events arrive at least once and, after a dead-letter replay, possibly late. Each
row keeps the `changed_at` of the event that set it, and a removal keeps its row (`present`
false), so a replayed older `member_added` after a `member_removed` cannot bring the member
back: only an event changed later than the stored one applies. At the same instant a removal
wins over an addition (refusing a right is the safe side).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    Boolean,
    Column,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_common.auth.principal import Principal
from pmo_common.db.columns import code_column, email_column, reference_column, timestamp_column
from pmo_common.db.rows import as_utc
from pmo_common.events.payloads import PortfolioMembership
from pmo_common.messaging.consumed_events import Consumed
from pmo_common.portfolios.scope import (
    NO_PORTFOLIOS,
    READS_EVERYTHING,
    PortfolioScope,
    ScopedPrincipal,
    with_scope,
)

TABLE_NAME = "portfolio_members"
PORTFOLIO_ID_LENGTH = 64


def portfolio_members_table(metadata: MetaData) -> Table:
    """The service's `portfolio_members` table (see migration.create_portfolio_members_table)."""
    return Table(
        TABLE_NAME,
        metadata,
        reference_column("portfolio_id", length=PORTFOLIO_ID_LENGTH),
        # Lower-cased on the way in: e-mails compare case-insensitively, and lookups are by it.
        email_column("email", index=True),
        code_column("role"),
        # False once removed: the row stays so an older, replayed addition cannot revive it.
        Column("present", Boolean, nullable=False),
        email_column("changed_by"),
        timestamp_column("changed_at"),
        PrimaryKeyConstraint("portfolio_id", "email"),
    )


def _supersedes(*, changed_at: datetime, present: bool, stored_at: datetime, stored: bool) -> bool:
    """Whether an event replaces the stored membership: later ones do; at the same instant a
    removal replaces an addition, nothing else."""
    if changed_at != stored_at:
        return changed_at > stored_at
    return stored and not present


@dataclass(frozen=True, slots=True)
class PortfolioMembers:
    """One service's membership projection: applying the events, and a caller's scope."""

    table: Table

    async def record(
        self, session: AsyncSession, membership: PortfolioMembership, *, present: bool
    ) -> bool:
        """Apply a member_added (`present`) or member_removed event; False when it is older
        than what is stored (a redelivery or a late replay), which changes nothing."""
        columns = self.table.c
        email = membership.email.lower()
        key = (columns.portfolio_id == membership.portfolio_id) & (columns.email == email)
        values = {
            "role": membership.role,
            "present": present,
            "changed_by": membership.changed_by,
            "changed_at": membership.changed_at,
        }
        stored = (
            (
                await session.execute(
                    select(columns.present, columns.changed_at).where(key).with_for_update()
                )
            )
            .mappings()
            .first()
        )
        if stored is None:
            await session.execute(
                insert(self.table).values(
                    portfolio_id=membership.portfolio_id, email=email, **values
                )
            )
            return True
        if not _supersedes(
            changed_at=as_utc(membership.changed_at),
            present=present,
            stored_at=as_utc(stored["changed_at"]),
            stored=stored["present"],
        ):
            return False
        await session.execute(update(self.table).where(key).values(**values))
        return True

    async def on_added(self, session: AsyncSession, event: Consumed[PortfolioMembership]) -> None:
        """The handler of intake.portfolio.member_added."""
        await self.record(session, event.payload, present=True)

    async def on_removed(self, session: AsyncSession, event: Consumed[PortfolioMembership]) -> None:
        """The handler of intake.portfolio.member_removed."""
        await self.record(session, event.payload, present=False)

    async def scope_of(self, session: AsyncSession, principal: Principal) -> PortfolioScope:
        """The portfolios the caller reads (any membership) and acts for (a portfolio_manager
        membership AND the portfolio_manager role). Callers who read everything anyway, and
        callers without an e-mail, need no lookup."""
        if principal.has_any_role("pmo_admin") or not principal.email:
            return NO_PORTFOLIOS
        if principal.has_any_role(*READS_EVERYTHING) and not principal.has_any_role(
            "portfolio_manager"
        ):
            return NO_PORTFOLIOS
        columns = self.table.c
        rows = await session.execute(
            select(columns.portfolio_id, columns.role).where(
                columns.email == principal.email.lower(), columns.present.is_(True)
            )
        )
        readable: set[str] = set()
        managed: set[str] = set()
        acts_as_manager = principal.has_any_role("portfolio_manager")
        for portfolio_id, role in rows:
            readable.add(portfolio_id)
            if role == "portfolio_manager" and acts_as_manager:
                managed.add(portfolio_id)
        return PortfolioScope(managed=frozenset(managed), readable=frozenset(readable))

    async def scoped(self, session: AsyncSession, principal: Principal) -> ScopedPrincipal:
        """The principal with its scope (for callers outside a route's dependencies: pages)."""
        return with_scope(principal, await self.scope_of(session, principal))
