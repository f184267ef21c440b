"""Dates projected forward never overflow: past 2200-12-31 (or date.max) they are None, with a
plain reason, and nothing raises (issue: bad input never gets a 500)."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pmo_monitoring.domain.calendar_bounds import LATEST_FORECAST_DATE, days_after
from pmo_monitoring.domain.earned_schedule import forecast_end_date
from pmo_monitoring.domain.earned_value import compute_earned_value
from pmo_monitoring.domain.health_rules import assess_health
from pmo_monitoring.domain.model import (
    DEFAULT_THRESHOLDS,
    BaselineMilestone,
    MilestoneStatus,
    ProjectBaseline,
    StatusReport,
    Thresholds,
)
from pmo_monitoring.domain.reporting_cadence import (
    NO_NEXT_REPORT_DUE,
    check_report_overdue,
    next_report_due,
)
from pmo_monitoring.domain.trend import TrendPoint

END_OF_CALENDAR = ProjectBaseline(
    "p", "Near the end", date(9999, 12, 20), date(9999, 12, 31), 100_000.0
)
any_date = st.dates(min_value=date.min, max_value=date.max)
any_days = st.floats(allow_nan=True, allow_infinity=True) | st.integers(-(10**7), 10**7)


def test_days_after_rounds_half_up_within_the_horizon() -> None:
    start = date(2030, 1, 1)
    assert days_after(start, 10.4) == date(2030, 1, 11)
    assert days_after(start, 10.5) == date(2030, 1, 12)
    assert days_after(start, -1.6) == date(2029, 12, 30)


def test_days_after_stops_at_the_2200_horizon() -> None:
    assert days_after(date(2200, 12, 30), 1) == LATEST_FORECAST_DATE
    assert days_after(date(2200, 12, 30), 1.4) == LATEST_FORECAST_DATE
    assert days_after(date(2200, 12, 30), 1.5) is None
    assert days_after(date(2200, 12, 31), 1) is None


def test_days_after_never_overflows_the_calendar() -> None:
    assert days_after(date(9999, 12, 31), 1, latest=date.max) is None
    assert days_after(date(9999, 12, 30), 0.6, latest=date.max) == date.max
    assert days_after(date(9999, 12, 20), 12) is None  # past 2200 and past date.max
    assert days_after(date.min, -1) is None
    assert days_after(date(2030, 1, 1), 1e300) is None
    assert days_after(date(2030, 1, 1), float("inf")) is None
    assert days_after(date(2030, 1, 1), float("nan")) is None


@given(start=any_date, days=any_days, latest=any_date)
def test_days_after_is_none_or_a_date_within_bounds(start: date, days: float, latest: date) -> None:
    result = days_after(start, days, latest=latest)
    if result is not None:
        assert result <= latest
        assert abs((result - start).days - days) <= 0.5


def test_forecast_end_date_past_the_horizon_is_not_computable() -> None:
    assert forecast_end_date(date(2200, 1, 1), 400.0) is None
    assert forecast_end_date(date(9999, 12, 20), 11.0) is None
    assert forecast_end_date(date(2030, 1, 1), 10.0) == date(2030, 1, 11)


def test_a_slow_project_forecast_past_2200_says_so_in_words() -> None:
    baseline = ProjectBaseline("p", "Slow", date(2020, 1, 1), date(2030, 1, 1), 100_000.0)
    # 1 % done after 6 years: PD / SPI(t) is centuries away.
    report = StatusReport(as_of=date(2026, 1, 1), percent_complete=1, actual_cost=10_000)

    metrics = compute_earned_value(baseline, report)

    assert metrics.spi_t is not None
    assert metrics.forecast_end_date is None
    assert any("after 2200-12-31" in note for note in metrics.notes)


def test_a_project_ending_on_the_last_day_of_the_calendar_is_assessed() -> None:
    report = StatusReport(
        as_of=date(9999, 12, 25),
        percent_complete=10,
        actual_cost=50_000,
        milestones=(MilestoneStatus("Go-live", "late", date(9999, 12, 31)),),
    )
    baseline = ProjectBaseline(
        "p",
        "Near the end",
        date(9999, 12, 20),
        date(9999, 12, 31),
        100_000.0,
        milestones=(BaselineMilestone("Go-live", date(9999, 12, 30)),),
    )
    history = [TrendPoint(date(9999, 12, 21), 1.0, 1.0), TrendPoint(date(9999, 12, 23), 0.5, 0.4)]

    assessment = assess_health(
        baseline, report, DEFAULT_THRESHOLDS, date(9999, 12, 31), None, history=history
    )

    assert assessment.metrics is not None
    assert assessment.metrics.forecast_end_date is None
    assert assessment.rag == "red"


def test_next_report_due_is_none_past_the_horizon() -> None:
    thresholds = Thresholds(report_cadence_days=14)
    assert next_report_due(
        start_date=date(2030, 1, 1), last_report_at=None, thresholds=thresholds
    ) == date(2030, 1, 15)
    assert next_report_due(
        start_date=date(2030, 1, 1), last_report_at=date(2030, 2, 1), thresholds=thresholds
    ) == date(2030, 2, 15)
    assert (
        next_report_due(
            start_date=END_OF_CALENDAR.start_date, last_report_at=None, thresholds=thresholds
        )
        is None
    )
    assert (
        next_report_due(
            start_date=date(2030, 1, 1),
            last_report_at=None,
            thresholds=Thresholds(report_cadence_days=10**9),
        )
        is None
    )
    assert "2200-12-31" in NO_NEXT_REPORT_DUE


@given(
    start=any_date,
    last=st.none() | any_date,
    today=any_date,
    cadence=st.integers(1, 10**9),
    grace=st.integers(0, 10**9),
)
def test_overdue_and_next_due_never_raise(
    start: date, last: date | None, today: date, cadence: int, grace: int
) -> None:
    thresholds = Thresholds(report_cadence_days=cadence, report_grace_days=grace)
    due = next_report_due(start_date=start, last_report_at=last, thresholds=thresholds)
    assert due is None or due <= LATEST_FORECAST_DATE
    check_report_overdue(start_date=start, last_report_at=last, today=today, thresholds=thresholds)


@st.composite
def dated_cases(draw: st.DrawFn) -> tuple[ProjectBaseline, StatusReport, date]:
    start, end = sorted(draw(st.lists(any_date, min_size=2, max_size=2)))
    as_of = draw(st.dates(min_value=start, max_value=end))
    due = draw(st.dates(min_value=start, max_value=end))
    forecast = draw(st.none() | any_date)
    baseline = ProjectBaseline(
        "p",
        "Any",
        start,
        end,
        draw(st.floats(0, 1e13)),
        milestones=(BaselineMilestone("M", due),),
    )
    report = StatusReport(
        as_of=as_of,
        percent_complete=draw(st.floats(0, 100)),
        actual_cost=draw(st.floats(0, 1e13)),
        milestones=(MilestoneStatus("M", draw(st.sampled_from(["late", "done"])), forecast),),
    )
    return baseline, report, draw(st.dates(min_value=as_of, max_value=date.max))


@given(case=dated_cases(), offsets=st.lists(st.integers(1, 3_000), max_size=4))
def test_any_calendar_dates_assess_without_error(
    case: tuple[ProjectBaseline, StatusReport, date], offsets: list[int]
) -> None:
    baseline, report, today = case
    history = [
        TrendPoint(report.as_of - timedelta(days=offset), 1.0, 0.9)
        for offset in offsets
        if offset <= (report.as_of - date.min).days
    ]
    assessment = assess_health(baseline, report, DEFAULT_THRESHOLDS, today, None, history=history)
    assert assessment.metrics is not None
    forecast = assessment.metrics.forecast_end_date
    assert forecast is None or forecast <= LATEST_FORECAST_DATE


@pytest.mark.parametrize("percent", [0.0, 0.001, 50.0, 100.0])
def test_the_end_of_calendar_project_never_raises(percent: float) -> None:
    report = StatusReport(as_of=date(9999, 12, 31), percent_complete=percent, actual_cost=1.0)
    metrics = compute_earned_value(END_OF_CALENDAR, report)
    assert metrics.forecast_end_date is None
