"""What notifications keeps of intake's projects: who leads them and which portfolio they sit in."""

from __future__ import annotations

from dataclasses import dataclass

ACTIVE = "active"
CLOSED = "closed"
# A project first heard of through monitoring's signals; any version from intake wins over it.
SIGNALLED_VERSION = 0


@dataclass(frozen=True, slots=True)
class ProjectRecord:
    """What notifications knows of a project (e-mails are stored lower-cased)."""

    id: str
    name: str
    manager: str
    sponsor: str | None
    portfolio_id: str | None
    status: str
    version: int


def normalised_email(email: str | None) -> str | None:
    """An e-mail as the projection stores and compares it: trimmed and lower-cased."""
    return email.strip().lower() if email else None
