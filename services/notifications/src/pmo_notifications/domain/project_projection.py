"""What notifications keeps of intake's projects: who leads them and which portfolio they sit in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

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


@dataclass(frozen=True, slots=True)
class HealthSignalStamp:
    """Where an at-risk or recovered signal stands among its project's health signals.

    Signals are ordered by the report date they judge (`as_of`), then by monitoring's health
    version (one higher for every assessment it stores; a signal without one, sent before
    versions existed, is older than any with one for the same date), then by the time they were
    sent. A replayed or re-sent signal keeps its date and version, so it is recognised as stale
    however late it arrives.
    """

    as_of: date
    version: int | None
    sent_at: datetime
