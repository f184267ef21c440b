"""Who may read and report on which projects, and finding a project monitoring knows."""

from __future__ import annotations

from typing import Any

from pmo_common.auth.dependencies import forbid
from pmo_common.auth.principal import Principal
from pmo_common.problems import ProblemException
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db import projection_repository as projections

REPORTING_ROLES = ("pmo_admin", "portfolio_manager")


def ensure_can_read(principal: Principal, project: dict[str, Any]) -> None:
    """A project manager reads only the projects they manage; broader roles read all."""
    if principal.sees_everything or principal.manages(project["manager"]):
        return
    raise forbid("You can only read the health and reports of projects you manage.")


def ensure_can_report(principal: Principal, project: dict[str, Any]) -> None:
    """Only the project's manager, PMO admins and portfolio managers file status reports."""
    if principal.manages(project["manager"]) or principal.has_any_role(*REPORTING_ROLES):
        return
    raise forbid(
        "Only the project's manager, a PMO admin or a portfolio manager may file its "
        "status reports."
    )


def manager_filter(principal: Principal) -> str | None:
    """The manager e-mail a roll-up must be restricted to, or None for unrestricted callers."""
    if principal.sees_everything:
        return None
    return principal.email or "\x00no-email"


def unheard_of(project_id: str) -> ProblemException:
    """The 404 for a project intake has not (yet) told monitoring about."""
    return ProblemException(
        404,
        "Project not found",
        f"Monitoring has not heard of project {project_id} yet. If it was just created in "
        "intake, retry in a few seconds.",
    )


async def load_project(
    session: AsyncSession, project_id: str, *, for_update: bool = False
) -> dict[str, Any]:
    """The projected project, or the plain-language 404."""
    project = await projections.get_project(session, project_id, for_update=for_update)
    if project is None:
        raise unheard_of(project_id)
    return project
