"""Silences: time windows during which a project's or portfolio's alerts notify nobody."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from pmo_notifications.domain.clock import in_utc
from pmo_notifications.domain.rule_violation import RuleViolation

MAX_SILENCE_DURATION = timedelta(days=90)


@dataclass(frozen=True, slots=True)
class SilenceRecord:
    """A silence as stored: its scope (None = any) and the window during which it holds.

    Its instants are held in UTC, whatever offset they were given in: that is how they are
    stored and compared (SQLite keeps a timestamp's wall-clock time and drops its offset).
    """

    id: str
    project_id: str | None
    portfolio_id: str | None
    reason: str
    starts_at: datetime
    ends_at: datetime
    created_by: str
    created_at: datetime

    def __post_init__(self) -> None:
        for name in ("starts_at", "ends_at", "created_at"):
            object.__setattr__(self, name, in_utc(getattr(self, name)))

    def holds_at(self, at: datetime) -> bool:
        """Whether the silence holds at `at` (for any scope)."""
        return self.starts_at <= in_utc(at) < self.ends_at


def silence_covers(
    silence: SilenceRecord, *, project_id: str | None, portfolio_id: str | None, at: datetime
) -> bool:
    """Whether the silence holds at `at` for an event of this project and portfolio."""
    if not silence.holds_at(at):
        return False
    if silence.project_id is not None and silence.project_id != project_id:
        return False
    return silence.portfolio_id is None or silence.portfolio_id == portfolio_id


def covering_silence(
    silences: Iterable[SilenceRecord],
    *,
    project_id: str | None,
    portfolio_id: str | None,
    at: datetime,
) -> SilenceRecord | None:
    """The first silence holding for the event, if any."""
    for silence in silences:
        if silence_covers(silence, project_id=project_id, portfolio_id=portfolio_id, at=at):
            return silence
    return None


def silence_violations(
    *,
    project_id: str | None,
    portfolio_id: str | None,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
    may_silence_everything: bool,
) -> list[RuleViolation]:
    """Every way a requested silence breaks the rules (empty when it may be created)."""
    starts_at, ends_at, now = in_utc(starts_at), in_utc(ends_at), in_utc(now)
    violations: list[RuleViolation] = []
    if project_id is None and portfolio_id is None and not may_silence_everything:
        violations.append(
            RuleViolation(
                "project_id",
                "name a project_id or a portfolio_id; only a PMO admin may silence every project",
            )
        )
    if ends_at <= now:
        violations.append(RuleViolation("ends_at", "must be in the future"))
    elif ends_at <= starts_at:
        violations.append(RuleViolation("ends_at", "must be after starts_at"))
    elif ends_at - max(now, starts_at) > MAX_SILENCE_DURATION:
        violations.append(
            RuleViolation(
                "ends_at",
                f"a silence may last at most {MAX_SILENCE_DURATION.days} days; "
                "create a new one when it ends",
            )
        )
    return violations
