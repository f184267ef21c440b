"""Who may see and change which projects and requests."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from pmo_common.auth.dependencies import CurrentPrincipal, forbid, require_roles
from pmo_common.auth.principal import Principal
from pmo_common.web.app_factory import SessionDep

from pmo_intake.domain.baselines import CONTROLLED_FIELDS, ChangeRequest, controlled
from pmo_intake.domain.records import Project, ProjectRequest
from pmo_intake.handlers import project_queries

REGISTRY_EDITORS = ("pmo_admin", "portfolio_manager")
RegistryEditor = Annotated[Principal, Depends(require_roles(*REGISTRY_EDITORS))]
Requester = Annotated[
    Principal, Depends(require_roles("pmo_admin", "portfolio_manager", "project_manager"))
]
Admin = Annotated[Principal, Depends(require_roles("pmo_admin"))]
# Who decides change requests of baselines. Until portfolio membership exists (ADR 0008,
# ADR 0024), any portfolio manager decides for every portfolio.
BaselineDecider = RegistryEditor
# Who edits the registry reviews demand: scores requests, recommends or returns them, sets
# budget envelopes and runs scenarios; deciding stays with PMO admins.
Reviewer = RegistryEditor


def ensure_can_read_project(principal: Principal, project: Project) -> None:
    """A project manager reads only the projects they manage; broader roles read all."""
    if principal.sees_everything or principal.manages(project.manager):
        return
    raise forbid("You can only read projects you manage.")


async def readable_project(
    project_id: str, principal: CurrentPrincipal, session: SessionDep
) -> Project:
    """The project at the path, when the caller may read it (404, 403 otherwise)."""
    project = await project_queries.get_project(session, project_id=project_id)
    ensure_can_read_project(principal, project)
    return project


ReadableProject = Annotated[Project, Depends(readable_project)]


def ensure_can_read_request(principal: Principal, request: ProjectRequest) -> None:
    """A requester reads only the requests they made; broader roles read all."""
    if principal.sees_everything or principal.manages(request.requested_by):
        return
    raise forbid("You can only see requests you made.")


def ensure_can_change_request(principal: Principal, request: ProjectRequest) -> None:
    """Only the requester or a PMO admin changes a request."""
    _ensure_requester_or_admin(principal, request, "change")


def ensure_can_submit_request(principal: Principal, request: ProjectRequest) -> None:
    """Only the requester or a PMO admin submits a request."""
    _ensure_requester_or_admin(principal, request, "submit")


def _ensure_requester_or_admin(principal: Principal, request: ProjectRequest, verb: str) -> None:
    if principal.has_any_role("pmo_admin") or principal.manages(request.requested_by):
        return
    raise forbid(f"Only the requester or a PMO admin can {verb} a request.")


def ensure_can_patch_project(principal: Principal, project_id: str, fields: set[str]) -> None:
    """Only PMO admins change baseline fields directly (anyone else files a change request);
    the other fields stay with PMO admins and portfolio managers."""
    if principal.has_any_role("pmo_admin"):
        return
    if baseline_fields := controlled(fields):
        route = f"POST /v1/projects/{project_id}/change-requests"
        raise forbid(
            f"The baseline ({', '.join(CONTROLLED_FIELDS)}) changes through a change request: "
            f"{route} (refused: {', '.join(baseline_fields)})."
        )
    if not principal.has_any_role(*REGISTRY_EDITORS):
        raise forbid(f"This action needs one of the roles: {', '.join(REGISTRY_EDITORS)}.")


def ensure_can_request_change(principal: Principal, project: Project) -> None:
    """The project's manager, or a PMO admin, proposes changes to its baseline."""
    if principal.has_any_role("pmo_admin") or principal.manages(project.manager):
        return
    raise forbid("Only the project's manager or a PMO admin can request a baseline change.")


def ensure_can_decide_change(principal: Principal, request: ChangeRequest) -> None:
    """Whoever requested a change does not decide it (the role is checked by `BaselineDecider`)."""
    if principal.manages(request.requested_by) or principal.subject == request.requested_by:
        raise forbid("A change request is decided by someone other than its requester.")


def ensure_can_change_grouping(principal: Principal, owner: str) -> None:
    """A portfolio or a programme is changed by a PMO admin or its owner."""
    if principal.has_any_role("pmo_admin") or principal.manages(owner):
        return
    raise forbid("Only a PMO admin or the owner can change it.")


def manager_filter(principal: Principal) -> str | None:
    """The manager e-mail a list of projects must be restricted to, or None for all."""
    if principal.sees_everything:
        return None
    return principal.email or "\x00no-email"


def requester_filter(principal: Principal) -> str | None:
    """The requester a list of requests must be restricted to, or None for all."""
    return None if principal.sees_everything else (principal.email or principal.subject)


def requester_name(principal: Principal) -> str:
    """How a request or a decision names the caller."""
    return principal.email or principal.subject
