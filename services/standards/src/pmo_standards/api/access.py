"""Who may do what: role dependencies and the object-level checks on projects.

A portfolio manager acts only for the portfolios they are a `portfolio_manager` member of; any
member of a portfolio reads its projects (docs/adr/0026). The role dependencies below hand the
routes a `ScopedPrincipal` carrying those memberships; the checks read them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from pmo_common.auth.dependencies import forbid, require_roles
from pmo_common.auth.principal import KNOWN_ROLES, Principal
from pmo_common.portfolios.dependency import scoped
from pmo_common.portfolios.scope import ScopedPrincipal, scoped_view

from pmo_standards.domain.interventions import Intervention
from pmo_standards.domain.projects import ProjectView
from pmo_standards.handlers.portfolio_members import portfolio_scope

# A valid token is not enough: the caller must also hold at least one role we know.
AnyRolePrincipal = Annotated[
    ScopedPrincipal, Depends(scoped(require_roles(*sorted(KNOWN_ROLES)), portfolio_scope))
]
AdminPrincipal = Annotated[Principal, Depends(require_roles("pmo_admin"))]
# The portfolio board: PMO admins, and portfolio managers for the portfolios they manage.
BoardPrincipal = Annotated[
    ScopedPrincipal,
    Depends(scoped(require_roles("pmo_admin", "portfolio_manager"), portfolio_scope)),
]


def actor_name(principal: Principal) -> str:
    """How the caller is recorded as the author of a change."""
    return principal.email or principal.subject


def _is_the_manager(principal: Principal, manager: str | None) -> bool:
    return principal.has_any_role("project_manager") and principal.manages(manager)


def _is_its_manager(principal: Principal, project: ProjectView) -> bool:
    return _is_the_manager(principal, project.manager)


def ensure_can_read_project(principal: Principal, project: ProjectView) -> None:
    """Project managers read the projects they manage, members their portfolios' projects;
    PMO admins, viewers and services read all."""
    if scoped_view(principal).reads_portfolio(project.portfolio_id) or _is_its_manager(
        principal, project
    ):
        return
    raise forbid(
        f"Only the manager of project {project.id}, a member of its portfolio or the PMO may "
        "see its compliance."
    )


def ensure_can_file_deliverables(principal: Principal, project: ProjectView) -> None:
    """Only the project's manager or a PMO admin files deliverables."""
    if principal.has_any_role("pmo_admin") or _is_its_manager(principal, project):
        return
    raise forbid(
        f"Only the manager of project {project.id} or a PMO admin may file its deliverables."
    )


def managed_by_filter(principal: Principal) -> str | None:
    """Whose projects' records a list shows the caller: None for all, else its own e-mail
    (with the cases of its portfolios: `portfolios_filter`)."""
    return None if scoped_view(principal).reads_everything else (principal.email or "")


def portfolios_filter(principal: Principal) -> frozenset[str]:
    """The portfolios whose cases a narrowed list shows besides the caller's own projects'."""
    return scoped_view(principal).portfolios.readable


def ensure_can_read_intervention(principal: Principal, case: Intervention) -> None:
    """Project managers see the cases of the projects they manage, members those of their
    portfolios; PMO admins, viewers and services see all."""
    if scoped_view(principal).reads_portfolio(case.portfolio_id) or _is_the_manager(
        principal, case.manager
    ):
        return
    raise forbid(
        f"Only the manager of project {case.project_id}, a member of its portfolio or the PMO "
        "may see its case."
    )


def ensure_can_decide(principal: Principal, case: Intervention) -> None:
    """The board acting on a case (owner, decision): a PMO admin, or a portfolio manager of
    the case's portfolio."""
    if scoped_view(principal).manages_portfolio(case.portfolio_id):
        return
    raise forbid(
        f"Only a PMO admin or a portfolio manager of the portfolio of project {case.project_id} "
        "may act on its case as the board."
    )


def ensure_can_report_exception(principal: Principal, case: Intervention) -> None:
    """The project's manager files its exception report, or a PMO admin for them."""
    if principal.has_any_role("pmo_admin") or _is_the_manager(principal, case.manager):
        return
    raise forbid(
        f"Only the manager of project {case.project_id} or a PMO admin may file its exception "
        "report."
    )


def _records_actions(principal: Principal, case: Intervention) -> bool:
    return scoped_view(principal).manages_portfolio(case.portfolio_id) or _is_the_manager(
        principal, case.manager
    )


def ensure_can_handle_actions(principal: Principal, case: Intervention) -> None:
    """The project's manager, a PMO admin or a portfolio manager of its portfolio records
    recovery actions."""
    if _records_actions(principal, case):
        return
    raise forbid(
        f"Only the manager of project {case.project_id}, a portfolio manager of its portfolio or "
        "a PMO admin may record its recovery actions."
    )


def ensure_can_complete_action(principal: Principal, case: Intervention, action_id: str) -> None:
    """Who records actions marks any done; an action's owner marks their own done too, as the
    overdue reminder asks them to (a person: a service token is nobody's owner)."""
    if _records_actions(principal, case):
        return
    owns_it = any(
        action.id == action_id and principal.manages(action.owner) for action in case.actions
    )
    if owns_it and not principal.has_any_role("service"):
        return
    raise forbid(
        f"Only the action's owner, the manager of project {case.project_id}, a portfolio "
        "manager of its portfolio or a PMO admin may mark a recovery action done."
    )
