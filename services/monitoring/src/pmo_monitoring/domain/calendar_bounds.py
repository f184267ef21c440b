"""Dates computed forward from another date stay on the calendar, or are not computed at all.

Python's dates end on 9999-12-31 and `date + timedelta` past it raises OverflowError. A project
near that end (intake refuses such dates now, but monitoring may hold one from before, or
receive one by event) must not turn a forecast into a 500, so every date monitoring projects
forward goes through `days_after`: a date past `LATEST_FORECAST_DATE`, the last date a request
may carry (2200-12-31, as `pmo_common.web.inputs.LATEST_DATE`), or past `date.max` is None, and
the caller says in words why there is no date.
"""

from __future__ import annotations

import math
from datetime import date

from pmo_monitoring.domain.phrases import Day, phrase

LATEST_FORECAST_DATE = date(2200, 12, 31)
"""The last date monitoring forecasts; later ones are reported as not computable."""

BEYOND_HORIZON = phrase(
    "after {latest}, the last date monitoring forecasts", latest=Day(LATEST_FORECAST_DATE)
)
"""Words for a date that would fall past `LATEST_FORECAST_DATE` (or off the calendar)."""


def days_after(start: date, days: float, *, latest: date = LATEST_FORECAST_DATE) -> date | None:
    """`start` + `days` rounded to the nearest whole day (half up).

    None when `days` is not finite or the date would fall before `date.min` or after `latest`
    (which is never later than `date.max`); never an OverflowError.
    """
    return days_after_within(start, days, offsets_on_calendar(start, latest=latest))


DayOffsets = tuple[int, int]
"""The fewest and the most whole days from a start that stay on the calendar."""


def offsets_on_calendar(start: date, *, latest: date = LATEST_FORECAST_DATE) -> DayOffsets:
    """How far back (to `date.min`) and forward (to `latest`) from `start` dates can go."""
    return (date.min - start).days, (latest - start).days


def days_after_within(start: date, days: float, offsets: DayOffsets) -> date | None:
    """`days_after` with `offsets_on_calendar(start)` worked out once for many forecasts."""
    if not math.isfinite(days):
        return None
    whole = math.floor(days + 0.5)
    earliest, latest = offsets
    if whole > latest or whole < earliest:
        return None
    return date.fromordinal(start.toordinal() + whole)  # = start + timedelta(days=whole)
