"""Who may read and report on which projects.

A portfolio manager acts only for the portfolios they are a `portfolio_manager` member of; any
member of a portfolio reads its projects (docs/adr/0026). Routes take `ScopedCaller`, the
caller with those memberships; the checks read them (a plain principal has none).

Refusals are phrases: the API says them in English, a page in the reader's language.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from pmo_common.auth.dependencies import current_principal, forbid
from pmo_common.auth.principal import Principal
from pmo_common.portfolios.dependency import scoped
from pmo_common.portfolios.scope import ScopedPrincipal, scoped_view

from pmo_monitoring.domain.phrases import phrase
from pmo_monitoring.domain.records import MonitoredProject
from pmo_monitoring.handlers.portfolio_members import portfolio_scope

ScopedCaller = Annotated[ScopedPrincipal, Depends(scoped(current_principal, portfolio_scope))]


def ensure_can_read(principal: Principal, project: MonitoredProject) -> None:
    """A project manager reads the projects they manage, a member its portfolio's projects;
    PMO admins, viewers and services read all."""
    if scoped_view(principal).reads_portfolio(project.portfolio_id) or principal.manages(
        project.manager
    ):
        return
    raise forbid(
        phrase(
            "You can only read the health and reports of projects you manage or of the "
            "portfolios you are a member of."
        )
    )


def ensure_can_report(principal: Principal, project: MonitoredProject) -> None:
    """Only the project's manager, PMO admins and its portfolio's managers file status
    reports."""
    if principal.manages(project.manager) or scoped_view(principal).manages_portfolio(
        project.portfolio_id
    ):
        return
    raise forbid(
        phrase(
            "Only the project's manager, a PMO admin or a manager of its portfolio may file "
            "its status reports."
        )
    )


def manager_filter(principal: Principal, *, portfolio_id: str | None = None) -> str | None:
    """The manager e-mail a roll-up must be restricted to, or None for unrestricted callers
    (a restricted one also sees its portfolios' projects: `portfolios_filter`). A roll-up of
    one portfolio the caller is a member of is unrestricted: it reads the kept partial sums
    instead of summing project rows (docs/adr/0012)."""
    if scoped_view(principal).reads_portfolio(portfolio_id):
        return None
    return principal.email or "\x00no-email"


def portfolios_filter(principal: Principal) -> frozenset[str]:
    """The portfolios whose projects a restricted roll-up shows besides the caller's own."""
    return scoped_view(principal).portfolios.readable
