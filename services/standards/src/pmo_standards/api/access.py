"""Who may do what: role dependencies and the object-level checks on projects."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from pmo_common.auth.dependencies import forbid, require_roles
from pmo_common.auth.principal import KNOWN_ROLES, Principal

from pmo_standards.domain.interventions import Intervention
from pmo_standards.domain.projects import ProjectView

# A valid token is not enough: the caller must also hold at least one role we know.
AnyRolePrincipal = Annotated[Principal, Depends(require_roles(*sorted(KNOWN_ROLES)))]
AdminPrincipal = Annotated[Principal, Depends(require_roles("pmo_admin"))]
# The portfolio board: portfolio managers act on every portfolio, as everywhere in the system.
BoardPrincipal = Annotated[Principal, Depends(require_roles("pmo_admin", "portfolio_manager"))]


def actor_name(principal: Principal) -> str:
    """How the caller is recorded as the author of a change."""
    return principal.email or principal.subject


def _is_the_manager(principal: Principal, manager: str | None) -> bool:
    return principal.has_any_role("project_manager") and principal.manages(manager)


def _is_its_manager(principal: Principal, project: ProjectView) -> bool:
    return _is_the_manager(principal, project.manager)


def ensure_can_read_project(principal: Principal, project: ProjectView) -> None:
    """Project managers read only the projects they manage; the other roles read all."""
    if principal.sees_everything or _is_its_manager(principal, project):
        return
    raise forbid(f"Only the manager of project {project.id} or the PMO may see its compliance.")


def ensure_can_file_deliverables(principal: Principal, project: ProjectView) -> None:
    """Only the project's manager or a PMO admin files deliverables."""
    if principal.has_any_role("pmo_admin") or _is_its_manager(principal, project):
        return
    raise forbid(
        f"Only the manager of project {project.id} or a PMO admin may file its deliverables."
    )


def managed_by_filter(principal: Principal) -> str | None:
    """Whose projects' records a list shows the caller: None for all, else its own e-mail."""
    return None if principal.sees_everything else (principal.email or "")


def ensure_can_read_intervention(principal: Principal, case: Intervention) -> None:
    """Project managers see only the cases of the projects they manage; the others see all."""
    if principal.sees_everything or _is_the_manager(principal, case.manager):
        return
    raise forbid(f"Only the manager of project {case.project_id} or the PMO may see its case.")


def ensure_can_report_exception(principal: Principal, case: Intervention) -> None:
    """The project's manager files its exception report, or a PMO admin for them."""
    if principal.has_any_role("pmo_admin") or _is_the_manager(principal, case.manager):
        return
    raise forbid(
        f"Only the manager of project {case.project_id} or a PMO admin may file its exception "
        "report."
    )


def _records_actions(principal: Principal, case: Intervention) -> bool:
    return principal.has_any_role("pmo_admin", "portfolio_manager") or _is_the_manager(
        principal, case.manager
    )


def ensure_can_handle_actions(principal: Principal, case: Intervention) -> None:
    """The project's manager, a PMO admin or a portfolio manager records recovery actions."""
    if _records_actions(principal, case):
        return
    raise forbid(
        f"Only the manager of project {case.project_id}, a portfolio manager or a PMO admin may "
        "record its recovery actions."
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
        "manager or a PMO admin may mark a recovery action done."
    )
