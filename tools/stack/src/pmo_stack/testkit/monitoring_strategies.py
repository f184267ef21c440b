"""Hypothesis strategies that monitoring's property tests of the health rules share.

The tests run with --import-mode=importlib, so one test module cannot import another, and a
strategy is needed when @given is applied, at import time, so a fixture cannot hand it over:
the strategies several suites draw from live here. Only monitoring's tests import this module
(it needs hypothesis, a test dependency, and pmo_monitoring); the pytest plugin does not.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from hypothesis import strategies as st
from pmo_monitoring.domain.model import (
    BaselineMilestone,
    ManagerRag,
    PlannedValuePoint,
    ProjectBaseline,
    Thresholds,
)

START = date(2024, 1, 1)
"""Where every generated baseline starts; the tests count days from it."""

money = st.floats(min_value=0, max_value=1e12, allow_nan=False, allow_infinity=False)
positive_money = st.floats(min_value=1, max_value=1e12)
percent = st.floats(min_value=0, max_value=100)
offsets = st.integers(min_value=-400, max_value=4_000)
"""Days from a baseline's start: from well before it to well after any planned end."""

manager_rags: st.SearchStrategy[ManagerRag | None] = st.sampled_from(
    [None, "green", "amber", "red"]
)


def _signal_thresholds(
    red: float, gap: float, eac_amber: float, eac_gap: float, red_days: int
) -> Thresholds:
    # Amber is `gap` above red for the indices and `eac_gap` below red for the EAC ratio, so
    # every drawn set is one Thresholds accepts.
    return Thresholds(
        cpi_amber=red + gap,
        cpi_red=red,
        spi_amber=red + gap,
        spi_red=red,
        eac_amber_ratio=eac_amber,
        eac_red_ratio=eac_amber + eac_gap,
        milestone_red_days_late=red_days,
    )


signal_thresholds = st.builds(
    _signal_thresholds,
    st.floats(min_value=0.5, max_value=1.0),
    st.floats(min_value=0, max_value=0.2),
    st.floats(min_value=1.0, max_value=1.5),
    st.floats(min_value=0, max_value=0.5),
    st.integers(min_value=0, max_value=60),
)
"""Consistent limits for the CPI, SPI, EAC and milestone signals; the default reporting
cadence and grace (a test that varies those too replaces them)."""


def on_day(day: int) -> date:
    """The date `day` days after START (before it when negative)."""
    return START + timedelta(days=day)


@st.composite
def profiles(
    draw: st.DrawFn, duration: int, percents: st.SearchStrategy[float] = percent
) -> tuple[PlannedValuePoint, ...]:
    """A planned-value profile over `duration` days: up to six points, dates and percents rising
    (none when the plan has no days to spread the budget over)."""
    if duration < 1:
        return ()
    days = sorted(draw(st.sets(st.integers(0, duration), max_size=6)))
    shares = sorted(draw(st.lists(percents, min_size=len(days), max_size=len(days))))
    return tuple(
        PlannedValuePoint(on_day(day), share) for day, share in zip(days, shares, strict=True)
    )


def baseline(
    duration: int,
    budget: float,
    milestones: Iterable[tuple[str, int]] = (),
    profile: tuple[PlannedValuePoint, ...] = (),
) -> ProjectBaseline:
    """Project "p", from START for `duration` days; each milestone a name and its due day."""
    return ProjectBaseline(
        project_id="p",
        name="Any project",
        start_date=START,
        end_date=on_day(duration),
        budget=budget,
        milestones=tuple(BaselineMilestone(name, on_day(day)) for name, day in milestones),
        planned_value_profile=profile,
    )
