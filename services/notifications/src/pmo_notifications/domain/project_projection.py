"""What notifications keeps of intake's projects: who leads them and which portfolio they sit in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pmo_notifications.domain.reason_line import ReasonLine

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
    # The currency the project reports in (intake's registry; None when first heard of through
    # monitoring): its money is written in it.
    currency: str | None = None
    # The latest health monitoring told (project.health_changed, project.status_reported): the
    # colour, why it is not green, the earned-value figures, and the report date they judge;
    # all None until the first such event. `last_report_at`: the newest status report's date.
    rag: str | None = None
    reasons: tuple[ReasonLine, ...] = ()
    metrics: dict[str, Any] | None = None
    rag_as_of: date | None = None
    last_report_at: date | None = None


# The fields of ProjectRecord that monitoring's events fill, not intake's registry.
HEALTH_FIELDS: tuple[str, ...] = ("rag", "reasons", "metrics", "rag_as_of", "last_report_at")


@dataclass(frozen=True, slots=True)
class HealthChange:
    """One change of a project's colour, as monitoring announced it (project.health_changed)."""

    project_id: str
    previous_rag: str | None
    rag: str
    as_of: date
    health_version: int | None
    # When monitoring published the change (the event's time).
    changed_at: datetime
    # The codes of the reasons the new colour has (e.g. cpi_below_threshold), worst first as told.
    reason_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LatestHealth:
    """A project's health as one event tells it, with the stamp that orders it among others."""

    rag: str | None
    reasons: tuple[ReasonLine, ...]
    metrics: dict[str, Any] | None
    as_of: date
    health_version: int | None


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
