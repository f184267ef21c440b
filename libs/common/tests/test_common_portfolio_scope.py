"""The pure rules of portfolio scope: the role says what kind of person, membership where."""

from __future__ import annotations

from pmo_common.auth.principal import Principal
from pmo_common.portfolios.scope import PortfolioScope, scoped_view, with_scope

NORTH, SOUTH = "pf-north", "pf-south"


def _caller(
    *roles: str, managed: frozenset[str] = frozenset(), readable: frozenset[str] = frozenset()
) -> Principal:
    principal = Principal(subject="s", email="s@example.com", roles=frozenset(roles))
    return with_scope(principal, PortfolioScope(managed, readable))


def test_a_portfolio_manager_acts_and_reads_only_where_a_member() -> None:
    caller = scoped_view(
        _caller("portfolio_manager", managed=frozenset({NORTH}), readable=frozenset({NORTH}))
    )
    assert caller.manages_portfolio(NORTH) and caller.reads_portfolio(NORTH)
    assert not caller.manages_portfolio(SOUTH) and not caller.reads_portfolio(SOUTH)
    assert not caller.manages_portfolio(None) and not caller.reads_portfolio(None)
    assert caller.read_portfolios == frozenset({NORTH})


def test_a_viewer_membership_reads_without_acting() -> None:
    caller = scoped_view(_caller("portfolio_manager", readable=frozenset({NORTH})))
    assert caller.reads_portfolio(NORTH) and not caller.manages_portfolio(NORTH)


def test_pmo_admins_act_everywhere_and_global_viewers_read_everything() -> None:
    admin = scoped_view(_caller("pmo_admin"))
    assert admin.manages_portfolio(SOUTH) and admin.reads_portfolio(None)
    viewer = scoped_view(_caller("viewer"))
    assert viewer.reads_portfolio(SOUTH) and not viewer.manages_portfolio(SOUTH)
    assert viewer.read_portfolios is None


def test_a_principal_without_a_looked_up_scope_gets_no_portfolio_right() -> None:
    plain = Principal(subject="s", email="s@example.com", roles=frozenset({"portfolio_manager"}))
    assert plain.sees_everything  # the shared Principal keeps its meaning for other callers
    caller = scoped_view(plain)
    assert not caller.reads_portfolio(NORTH) and not caller.manages_portfolio(NORTH)
