"""Who may read and report on which projects.

Refusals are phrases: the API says them in English, a page in the reader's language.
"""

from __future__ import annotations

from pmo_common.auth.dependencies import forbid
from pmo_common.auth.principal import Principal

from pmo_monitoring.domain.phrases import phrase
from pmo_monitoring.domain.records import MonitoredProject

REPORTING_ROLES = ("pmo_admin", "portfolio_manager")


def ensure_can_read(principal: Principal, project: MonitoredProject) -> None:
    """A project manager reads only the projects they manage; broader roles read all."""
    if principal.sees_everything or principal.manages(project.manager):
        return
    raise forbid(phrase("You can only read the health and reports of projects you manage."))


def ensure_can_report(principal: Principal, project: MonitoredProject) -> None:
    """Only the project's manager, PMO admins and portfolio managers file status reports."""
    if principal.manages(project.manager) or principal.has_any_role(*REPORTING_ROLES):
        return
    raise forbid(
        phrase(
            "Only the project's manager, a PMO admin or a portfolio manager may file its "
            "status reports."
        )
    )


def manager_filter(principal: Principal) -> str | None:
    """The manager e-mail a roll-up must be restricted to, or None for unrestricted callers."""
    if principal.sees_everything:
        return None
    return principal.email or "\x00no-email"
