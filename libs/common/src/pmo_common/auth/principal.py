"""Who is calling, as told by a verified token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["pmo_admin", "portfolio_manager", "project_manager", "viewer", "service"]
KNOWN_ROLES: frozenset[str] = frozenset(
    {"pmo_admin", "portfolio_manager", "project_manager", "viewer", "service"}
)


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller."""

    subject: str
    email: str | None
    roles: frozenset[str]

    def has_any_role(self, *roles: str) -> bool:
        """Whether the caller holds at least one of the roles."""
        return bool(self.roles.intersection(roles))

    @property
    def sees_everything(self) -> bool:
        """PMO admins, portfolio managers, viewers and services read across all projects."""
        return self.has_any_role("pmo_admin", "portfolio_manager", "viewer", "service")

    def manages(self, manager_email: str | None) -> bool:
        """Whether the caller is the given project manager (e-mails compare case-insensitively)."""
        return bool(self.email and manager_email and self.email.lower() == manager_email.lower())
