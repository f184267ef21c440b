"""Earned schedule (Lipke, 2003) and the time-based forecasts derived from it.

W. Lipke, "Schedule is Different", *The Measurable News*, March 2003: ES, SPI(t) = ES / AT and
SV(t) = ES - AT. TSPI = (PD - ES) / (PD - AT) and IEAC(t) = PD / SPI(t) as in PMI, *Practice
Standard for Earned Value Management*, 2nd ed. (2011), Appendix D (earned schedule), after
K. Henderson, "Further Developments in Earned Schedule", *The Measurable News*, Spring 2004.
Time is counted in calendar days from the baseline start.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from pmo_monitoring.domain.calendar_bounds import days_after
from pmo_monitoring.domain.planned_value import DayEstimate, PlannedValueCurve
from pmo_monitoring.domain.ratios import ratio_or_none


def earned_schedule_days(ev: float, curve: PlannedValueCurve, planned_duration: int) -> float:
    """Earned schedule: the earliest time (days) at which planned value reached `ev`.

    ES = C + (EV - PV_C) / (PV_C+1 - PV_C), where C is the last whole day with PV_C < EV (so
    PV_C+1 >= EV), found by bisection; capped at the planned duration. On a flat stretch of
    the curve this gives the day the plan first reached EV, not the day it moved on again.
    `curve` must be non-decreasing.
    """
    return earned_schedule_on(curve, planned_duration)(ev)


EarnedSchedule = Callable[[float], float]
"""Earned schedule in days for an EV, on one baseline's curve."""


def earned_schedule_on(
    curve: PlannedValueCurve, planned_duration: int, reaching_day: DayEstimate | None = None
) -> EarnedSchedule:
    """`earned_schedule_days` on one curve, for the EV of every report measured against it.

    The curve's two ends are read once. `reaching_day` (about the day the curve reaches a
    value) lets the search try that day and its neighbours first; on a non-decreasing curve
    only one day is C, so the result is the bisection's.
    """
    if planned_duration <= 0:
        return lambda ev: 0.0
    at_end, at_start = curve(planned_duration), curve(0)
    capped = float(planned_duration)

    def earned_schedule(ev: float) -> float:
        if at_end < ev:
            return capped
        if at_start >= ev:
            return 0.0
        found = None
        if reaching_day is not None:
            found = _bracket_near(ev, curve, planned_duration, reaching_day(ev))
        if found is None:
            found = _bisect(ev, curve, planned_duration)
        low, before, after = found
        return min(low + (ev - before) / (after - before), capped)

    return earned_schedule


Bracket = tuple[int, float, float]
"""C with PV_C < EV <= PV_C+1, and those two planned values."""


def _bisect(ev: float, curve: PlannedValueCurve, planned_duration: int) -> Bracket:
    low, high = 0, planned_duration  # invariant: curve(low) < ev <= curve(high)
    while high - low > 1:
        middle = (low + high) // 2
        if curve(middle) < ev:
            low = middle
        else:
            high = middle
    return low, curve(low), curve(high)


def _bracket_near(
    ev: float, curve: PlannedValueCurve, planned_duration: int, near: float
) -> Bracket | None:
    """The bracket on the day `near` points to or a neighbour; None when it is not there."""
    if not near < planned_duration:  # also when near is not a number
        day = planned_duration - 1
    elif near > 0:
        day = int(near)
    else:
        day = 0
    before = curve(day)
    if before < ev:
        after = curve(day + 1)
        if ev <= after:
            return day, before, after
        if day + 2 <= planned_duration:
            beyond = curve(day + 2)
            if ev <= beyond:
                return day + 1, after, beyond
    elif day > 0:
        earlier = curve(day - 1)
        if earlier < ev:
            return day - 1, earlier, before
    return None


def to_complete_schedule_performance_index(
    es: float, at: int, planned_duration: int
) -> float | None:
    """TSPI = (PD - ES) / (PD - AT): the pace needed to finish on the planned end date.

    None once AT >= PD: no planned time remains, so any remaining work is already late.
    """
    if at >= planned_duration:
        return None
    return ratio_or_none(planned_duration - es, float(planned_duration - at))


def independent_duration_days(planned_duration: int, spi_t: float | None) -> float | None:
    """IEAC(t) = PD / SPI(t): the forecast duration in days (Henderson, 2004)."""
    if spi_t is None:
        return None
    return ratio_or_none(float(planned_duration), spi_t)


def forecast_end_date(start: date, duration_days: float | None) -> date | None:
    """start + duration rounded to the nearest day.

    None when the duration is unknown or not finite, or the date would fall after
    LATEST_FORECAST_DATE (2200-12-31) or off the calendar (see calendar_bounds).
    """
    if duration_days is None:
        return None
    return days_after(start, duration_days)
