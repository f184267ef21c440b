"""Standards' view of a project, kept from intake's events, and the rule for stale ones."""

from __future__ import annotations

from dataclasses import dataclass

CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class ProjectView:
    """What standards knows of a project; manager and methodology are None until a snapshot."""

    id: str
    name: str
    manager: str | None
    methodology: str | None
    status: str
    version: int
    # The portfolio whose managers and members see the project (None: outside any, or unknown).
    portfolio_id: str | None = None

    @property
    def closed(self) -> bool:
        """Whether intake has closed the project."""
        return self.status == CLOSED


def supersedes(incoming_version: int, stored_version: int | None) -> bool:
    """Whether an event's version replaces what is stored (redelivered and late ones do not)."""
    return stored_version is None or incoming_version > stored_version
