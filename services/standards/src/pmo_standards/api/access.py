"""Who may do what: role dependencies and the object-level checks on projects."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from pmo_common.auth.dependencies import forbid, require_roles
from pmo_common.auth.principal import KNOWN_ROLES, Principal

from pmo_standards.domain.projects import ProjectView

# A valid token is not enough: the caller must also hold at least one role we know.
AnyRolePrincipal = Annotated[Principal, Depends(require_roles(*sorted(KNOWN_ROLES)))]
AdminPrincipal = Annotated[Principal, Depends(require_roles("pmo_admin"))]


def actor_name(principal: Principal) -> str:
    """How the caller is recorded as the author of a change."""
    return principal.email or principal.subject


def _is_its_manager(principal: Principal, project: ProjectView) -> bool:
    return principal.has_any_role("project_manager") and principal.manages(project.manager)


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
