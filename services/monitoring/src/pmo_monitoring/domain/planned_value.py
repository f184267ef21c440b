"""The planned-value curve of a baseline: a straight line, or its planned-value profile.

Everything that reads planned value (PV on a report date, earned schedule) goes through
`planned_value_curve`, so SPI and SPI(t) are always judged against the same plan.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from datetime import date

from pmo_monitoring.domain.model import ProjectBaseline

PlannedValueCurve = Callable[[int], float]
"""Cumulative planned value on a day offset from the start (0 = start_date); non-decreasing."""

DayEstimate = Callable[[float], float]
"""About the day offset on which a curve reaches a planned value: where a search can start."""


def planned_duration_days(baseline: ProjectBaseline) -> int:
    """Planned duration PD in calendar days, from start_date to end_date."""
    return (baseline.end_date - baseline.start_date).days


def planned_value_curve(baseline: ProjectBaseline) -> PlannedValueCurve:
    """The baseline's cumulative PV by day offset, built once so repeated reads stay cheap.

    Without a profile: a straight line from 0 at the start to BAC at the end. With one: linear
    interpolation through (start, 0), the profile's points and (end, 100 %); a point on the
    start or end date replaces that corner. Before the start PV is 0; after the end it stays at
    the curve's last value (BAC for any profile that ends at 100 %).
    """
    if not baseline.planned_value_profile:
        return _straight_line(baseline.budget, planned_duration_days(baseline))
    offsets, percents = profile_knots(baseline)
    return _piecewise_linear(baseline.budget, offsets, percents)


def reaching_day_estimate(baseline: ProjectBaseline) -> DayEstimate:
    """The straight line or profile of `planned_value_curve` read backwards, up to rounding.

    Earned schedule looks for the day the curve reaches EV; starting next to it saves most of
    a bisection's probes. Only a hint: the curve itself decides (see earned_schedule_days).
    """
    budget = baseline.budget
    if not baseline.planned_value_profile:
        duration = planned_duration_days(baseline)
        return lambda value: value / budget * duration if budget > 0 else 0.0
    offsets, percents = profile_knots(baseline)
    scale = budget / 100
    values = [percent * scale for percent in percents]

    def estimate(value: float) -> float:
        right = bisect_left(values, value)  # values[right - 1] < value <= values[right]
        if right == 0:
            return 0.0
        if right == len(values):
            return float(offsets[-1])
        left = right - 1
        share = (value - values[left]) / (values[right] - values[left])
        return offsets[left] + share * (offsets[right] - offsets[left])

    return estimate


def planned_value_at(baseline: ProjectBaseline, day: date) -> float:
    """Cumulative planned value on `day`, clamped to the curve's range [0, BAC]."""
    return planned_value_curve(baseline)((day - baseline.start_date).days)


def profile_knots(baseline: ProjectBaseline) -> tuple[list[int], list[float]]:
    """Day offsets and cumulative percents the profile's curve runs through, corners included."""
    duration = planned_duration_days(baseline)
    offsets: list[int] = [0]
    percents: list[float] = [0.0]
    for point in baseline.planned_value_profile:
        offset = (point.on - baseline.start_date).days
        if offset == offsets[-1]:
            # A point on the start date is the plan's own figure for day 0 (e.g. an up-front
            # purchase), so it replaces the default corner rather than making a vertical step.
            percents[-1] = point.percent
        else:
            offsets.append(offset)
            percents.append(point.percent)
    if offsets[-1] < duration:
        offsets.append(duration)
        percents.append(100.0)
    return offsets, percents


def _straight_line(budget: float, duration: int) -> PlannedValueCurve:
    def curve(offset: int) -> float:
        if offset >= duration:
            return budget
        if offset <= 0:
            return 0.0
        return budget * (offset / duration)

    return curve


def _piecewise_linear(
    budget: float, offsets: list[int], percents: list[float]
) -> PlannedValueCurve:
    last = len(offsets) - 1
    scale = budget / 100

    def curve(offset: int) -> float:
        if offset < 0:
            return 0.0
        if offset >= offsets[last]:
            return percents[last] * scale
        right = bisect_right(offsets, offset)  # offsets[right - 1] <= offset < offsets[right]
        left = right - 1
        span = offsets[right] - offsets[left]
        fraction = (offset - offsets[left]) / span
        return (percents[left] + (percents[right] - percents[left]) * fraction) * scale

    return curve
