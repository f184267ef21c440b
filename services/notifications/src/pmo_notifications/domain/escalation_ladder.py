"""Escalation ladders: who is told while an alert stays unacknowledged, and when.

Timing is relative to the previous step, as in PagerDuty: level 1 is due `levels[0]` seconds
after the alert opened, level k+1 `levels[k]` seconds after level k was reached. After the last
level the ladder starts again from level 1, `repeat` more times at most, then stops.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from pmo_notifications.domain.wording import Wording

MANAGER = "manager"
SPONSOR = "sponsor"
INTERVENTION_OWNER = "intervention_owner"
PMO = "pmo"
RECIPIENT_KEYWORDS: tuple[str, ...] = (MANAGER, SPONSOR, INTERVENTION_OWNER, PMO)
MAX_LEVELS = 10
MAX_REPEAT = 9
# A step further away than this is a typo (seconds for minutes), not a policy.
MAX_AFTER_SECONDS = 30 * 24 * 3600
# While a silence holds the climb waits; it looks again at least this often, so a silence
# deleted early does not keep the alert waiting until the silence's planned end.
SILENCE_RECHECK = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class EscalationLevel:
    """One rung: how long after the previous step it is due, and whom it tells."""

    after_seconds: int
    notify: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EscalationPolicy:
    """A portfolio's ladder (the default one when `portfolio_id` is None)."""

    id: str
    name: str
    portfolio_id: str | None
    levels: tuple[EscalationLevel, ...]
    repeat: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class LadderPosition:
    """Where an alert stands on its ladder: the level reached (0: none yet), the repeats
    started, and when the next step is due (None: nothing more is)."""

    level: int
    repeats_done: int
    next_escalation_at: datetime | None


def policy_for_portfolio(
    policies: Iterable[EscalationPolicy], portfolio_id: str | None
) -> EscalationPolicy | None:
    """The policy an alert in this portfolio climbs: the portfolio's own, else the default."""
    by_portfolio = {policy.portfolio_id: policy for policy in policies}
    return by_portfolio.get(portfolio_id) or by_portfolio.get(None)


def first_escalation_at(policy: EscalationPolicy, *, opened_at: datetime) -> datetime:
    """When level 1 of `policy` is due for an alert opened at `opened_at`."""
    return opened_at + timedelta(seconds=policy.levels[0].after_seconds)


def climb(policy: EscalationPolicy, position: LadderPosition, *, at: datetime) -> LadderPosition:
    """The position after the step due is taken at `at`; `next_escalation_at` None at the top.

    A policy edited since the alert last climbed is read as it is now: a level beyond its new
    last one counts as the last.
    """
    count = len(policy.levels)
    if position.level < count:
        level, repeats = position.level + 1, position.repeats_done
    else:
        level, repeats = 1, position.repeats_done + 1
    return LadderPosition(level, repeats, _next_due(policy, level, repeats, reached_at=at))


def can_climb(policy: EscalationPolicy, position: LadderPosition) -> bool:
    """Whether the ladder has a step left above `position`."""
    return position.level < len(policy.levels) or position.repeats_done < policy.repeat


def _next_due(
    policy: EscalationPolicy, level: int, repeats: int, *, reached_at: datetime
) -> datetime | None:
    if level < len(policy.levels):
        return reached_at + timedelta(seconds=policy.levels[level].after_seconds)
    if repeats < policy.repeat:
        return reached_at + timedelta(seconds=policy.levels[0].after_seconds)
    return None


def held_until(silence_ends_at: datetime, *, now: datetime) -> datetime:
    """When a step held by a silence is looked at again: its end, or sooner (SILENCE_RECHECK)."""
    return min(silence_ends_at, now + SILENCE_RECHECK)


@dataclass(frozen=True, slots=True)
class PeopleOfProject:
    """Whom the keywords of a level name for one project (None: nobody known)."""

    manager: str | None
    sponsor: str | None
    intervention_owner: str | None
    pmo: Sequence[str]


def escalation_targets(notify: Iterable[str], people: PeopleOfProject) -> tuple[str, ...]:
    """The addresses a level tells, in its order: keywords resolved, literal addresses as
    given, nobody twice (addresses compare case-insensitively), unknown people skipped."""
    named: dict[str, Sequence[str | None]] = {
        MANAGER: [people.manager],
        SPONSOR: [people.sponsor],
        INTERVENTION_OWNER: [people.intervention_owner],
        PMO: people.pmo,
    }
    targets: dict[str, str] = {}
    for entry in notify:
        for address in named.get(entry, [entry]):
            if address and address.strip():
                targets.setdefault(address.strip().lower(), address.strip())
    return tuple(targets.values())


def plain_duration(wording: Wording, span: timedelta) -> str:
    """A duration as people say it, its two largest units: `2 hours 5 minutes`, `45 seconds`,
    `3 days 1 hour` (in the reader's language)."""
    w = wording
    days, seconds = divmod(max(0, int(span.total_seconds())), 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    parts = [
        said.format(count=amount)
        for amount, said in (
            (days, w.ngettext("{count} day", "{count} days", days)),
            (hours, w.ngettext("{count} hour", "{count} hours", hours)),
            (minutes, w.ngettext("{count} minute", "{count} minutes", minutes)),
            (seconds, w.ngettext("{count} second", "{count} seconds", seconds)),
        )
        if amount
    ]
    return " ".join(parts[:2]) or w.ngettext("{count} second", "{count} seconds", 0).format(count=0)
