"""When a digest is due, and which period it covers, in the configured local time.

A period is named by a key of the local calendar, the same for every recipient: the local date
of a daily digest (`2026-03-02`) and the ISO week of a weekly one (`2026-W10`, whose Monday is
the day it goes out). The exactly-once claim is unique on (recipient, period, key).

A digest is due from its local hour until the end of that local day: a replica that was down at
the hour sends it when it is back the same day, never a stale one on a later day. Daylight
saving time needs no special case, because the rule reads the local wall clock: when the clocks
go back, the hour happens twice but the key (the date) is the same, so the second pass finds the
digest claimed; when they go forward past the hour, the first local time after the gap is
already past it, so the digest goes out then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from pmo_notifications.domain.clock import in_utc

DigestPeriod = Literal["daily", "weekly"]
DAILY: DigestPeriod = "daily"
WEEKLY: DigestPeriod = "weekly"
PERIODS: tuple[DigestPeriod, ...] = (DAILY, WEEKLY)
# The weekly digest goes out on Mondays (datetime.weekday), as the ISO week starts: it reviews
# the week just ended before the new one gets going.
WEEKLY_ON = 0
# What a first digest (no earlier one for the recipient) looks back over.
LOOK_BACK: dict[DigestPeriod, timedelta] = {DAILY: timedelta(days=1), WEEKLY: timedelta(days=7)}


@dataclass(frozen=True, slots=True)
class DigestWanted:
    """One reader's digest of one period (named by its key)."""

    recipient: str
    period: DigestPeriod
    period_key: str


@dataclass(frozen=True, slots=True)
class DigestSchedule:
    """The local hour (0-23) of `zone` at which digests go out."""

    hour: int
    zone: ZoneInfo

    def local(self, now: datetime) -> datetime:
        """`now` on the local wall clock (ValueError for a naive datetime)."""
        return in_utc(now).astimezone(self.zone)

    def today(self, now: datetime) -> date:
        """The local date at `now`."""
        return self.local(now).date()

    def period_key(self, period: DigestPeriod, now: datetime) -> str:
        """The key of the period `now` falls in (the one a preview shows)."""
        return period_key(period, self.today(now))

    def due(self, period: DigestPeriod, now: datetime) -> str | None:
        """The key of the period whose digest is due at `now`; None when none is."""
        local = self.local(now)
        if local.hour < self.hour:
            return None
        if period == WEEKLY and local.weekday() != WEEKLY_ON:
            return None
        return period_key(period, local.date())


def period_key(period: DigestPeriod, day: date) -> str:
    """The key of the period containing the local date `day`."""
    if period == DAILY:
        return day.isoformat()
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def window_start(period: DigestPeriod, *, now: datetime, last_sent: datetime | None) -> datetime:
    """Where a digest's "what changed" starts: the recipient's previous digest of the period,
    else one period back from `now`."""
    return last_sent if last_sent is not None else in_utc(now) - LOOK_BACK[period]
