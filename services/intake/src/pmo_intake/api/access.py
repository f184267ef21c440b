"""Who may see and change which projects."""

from __future__ import annotations

from typing import Any

from pmo_common.auth.dependencies import forbid
from pmo_common.auth.principal import Principal

REGISTRY_EDITORS = ("pmo_admin", "portfolio_manager")


def ensure_can_read(principal: Principal, project: dict[str, Any]) -> None:
    """A project manager reads only the projects they manage; broader roles read all."""
    if principal.sees_everything or principal.manages(project["manager"]):
        return
    raise forbid("You can only read projects you manage.")


def manager_filter(principal: Principal) -> str | None:
    """The manager e-mail a list must be restricted to, or None for unrestricted callers."""
    if principal.sees_everything:
        return None
    return principal.email or "\x00no-email"
