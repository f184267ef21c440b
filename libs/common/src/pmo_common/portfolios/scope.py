"""What a caller may do per portfolio: read its projects, or act for it as its manager.

The token's roles say what kind of person the caller is; membership says where. A caller acts
as the portfolio manager of P only with the `portfolio_manager` role AND a `portfolio_manager`
membership of P; any member of P reads P's projects. PMO admins act everywhere; the global
`viewer` role and services keep reading everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pmo_common.auth.principal import Principal

MEMBER_ROLES = ("portfolio_manager", "viewer")
READS_EVERYTHING = ("pmo_admin", "viewer", "service")


@dataclass(frozen=True, slots=True)
class PortfolioScope:
    """The portfolios a caller is a member of: those it acts for, those it reads."""

    managed: frozenset[str] = frozenset()
    readable: frozenset[str] = frozenset()


NO_PORTFOLIOS = PortfolioScope()


@dataclass(frozen=True, slots=True)
class ScopedPrincipal(Principal):
    """A caller together with its portfolio memberships, as the access checks need them.

    `Principal.sees_everything` keeps its meaning for other callers; the checks of the services
    that scope portfolio managers use the methods below instead.
    """

    portfolios: PortfolioScope = field(default=NO_PORTFOLIOS)

    @property
    def reads_everything(self) -> bool:
        """PMO admins, global viewers and services read every project."""
        return self.has_any_role(*READS_EVERYTHING)

    @property
    def is_admin(self) -> bool:
        """PMO admins do everything."""
        return self.has_any_role("pmo_admin")

    def reads_portfolio(self, portfolio_id: str | None) -> bool:
        """Whether the caller reads the projects of this portfolio (None: outside any)."""
        return self.reads_everything or (
            portfolio_id is not None and portfolio_id in self.portfolios.readable
        )

    def manages_portfolio(self, portfolio_id: str | None) -> bool:
        """Whether the caller acts as this portfolio's manager (PMO admins act for all)."""
        return self.is_admin or (
            portfolio_id is not None and portfolio_id in self.portfolios.managed
        )

    @property
    def read_portfolios(self) -> frozenset[str] | None:
        """The portfolios a list must be narrowed to (besides the caller's own projects), or
        None when the caller reads everything."""
        return None if self.reads_everything else self.portfolios.readable


def with_scope(principal: Principal, scope: PortfolioScope) -> ScopedPrincipal:
    """The principal carrying its portfolio scope."""
    return ScopedPrincipal(
        subject=principal.subject, email=principal.email, roles=principal.roles, portfolios=scope
    )


def scoped_view(principal: Principal) -> ScopedPrincipal:
    """The caller as the access checks read it: its scope when a route looked it up, else no
    portfolio at all (a route that did not look memberships up grants no portfolio right)."""
    if isinstance(principal, ScopedPrincipal):
        return principal
    return with_scope(principal, NO_PORTFOLIOS)
