"""Who may see and change which projects and requests."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from pmo_common.auth.dependencies import forbid, require_roles
from pmo_common.auth.principal import Principal

from pmo_intake.domain.records import Project, ProjectRequest

REGISTRY_EDITORS = ("pmo_admin", "portfolio_manager")
RegistryEditor = Annotated[Principal, Depends(require_roles(*REGISTRY_EDITORS))]
Requester = Annotated[
    Principal, Depends(require_roles("pmo_admin", "portfolio_manager", "project_manager"))
]
Admin = Annotated[Principal, Depends(require_roles("pmo_admin"))]
# Who edits the registry reviews demand: scores requests, recommends or returns them, sets
# budget envelopes and runs scenarios; deciding stays with PMO admins.
Reviewer = RegistryEditor


def ensure_can_read_project(principal: Principal, project: Project) -> None:
    """A project manager reads only the projects they manage; broader roles read all."""
    if principal.sees_everything or principal.manages(project.manager):
        return
    raise forbid("You can only read projects you manage.")


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
