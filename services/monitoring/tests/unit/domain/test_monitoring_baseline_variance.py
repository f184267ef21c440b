"""Baseline variance: original vs the baseline in force vs the forecast, in money and days."""

from datetime import date

from pmo_monitoring.domain.baseline_variance import (
    AmountVariance,
    BaselinePlan,
    DateVariance,
    baseline_variance,
)
from pmo_monitoring.domain.model import BaselineMilestone


def _plan(version: int, budget: float, end: date, **milestones: date) -> BaselinePlan:
    return BaselinePlan(
        version,
        budget,
        end,
        tuple(BaselineMilestone(name, due) for name, due in milestones.items()),
    )


ORIGINAL = _plan(1, 100000.0, date(2026, 12, 31), design=date(2026, 3, 31), build=date(2026, 9, 30))


def test_amounts_are_later_minus_earlier() -> None:
    variance = AmountVariance(original=100000.0, current=150000.0, forecast=160000.0)
    assert variance.current_vs_original == 50000
    assert variance.forecast_vs_current == 10000
    assert variance.forecast_vs_original == 60000


def test_an_underrun_is_negative_and_money_is_rounded_to_cents() -> None:
    variance = AmountVariance(original=100000.1, current=150000.0, forecast=140000.456)
    assert variance.current_vs_original == 49999.9
    assert variance.forecast_vs_current == -9999.54


def test_no_forecast_gives_no_forecast_difference() -> None:
    variance = AmountVariance(original=100000.0, current=100000.0, forecast=None)
    assert variance.current_vs_original == 0
    assert (variance.forecast_vs_current, variance.forecast_vs_original) == (None, None)


def test_dates_differ_in_days_later_is_positive() -> None:
    variance = DateVariance(date(2026, 12, 31), date(2027, 1, 30), date(2027, 1, 20))
    assert variance.current_vs_original_days == 30
    assert variance.forecast_vs_current_days == -10
    assert variance.forecast_vs_original_days == 20


def test_a_missing_date_gives_no_difference() -> None:
    variance = DateVariance(None, date(2027, 1, 30), None)
    assert variance.current_vs_original_days is None
    assert variance.forecast_vs_current_days is None
    assert variance.forecast_vs_original_days is None


def test_the_whole_comparison() -> None:
    current = _plan(
        3, 150000.0, date(2027, 3, 31), design=date(2026, 3, 31), build=date(2026, 12, 15)
    )
    variance = baseline_variance(
        ORIGINAL,
        current,
        forecast_budget=155000.0,
        forecast_end=date(2027, 4, 10),
        milestone_forecasts={"build": date(2026, 12, 20)},
    )
    assert (variance.original_version, variance.current_version) == (1, 3)
    assert variance.budget == AmountVariance(100000.0, 150000.0, 155000.0)
    assert variance.end_date.current_vs_original_days == 90
    assert variance.end_date.forecast_vs_current_days == 10
    assert variance.end_date.forecast_vs_original_days == 100
    design, build = variance.milestones
    assert (design.name, design.due.current_vs_original_days, design.due.forecast) == (
        "design",
        0,
        None,
    )
    assert build.name == "build"
    assert build.due == DateVariance(date(2026, 9, 30), date(2026, 12, 15), date(2026, 12, 20))
    assert (build.due.current_vs_original_days, build.due.forecast_vs_original_days) == (76, 81)


def test_milestones_in_force_by_due_date_then_removed_ones() -> None:
    current = _plan(
        2, 100000.0, date(2026, 12, 31), launch=date(2026, 6, 1), design=date(2026, 7, 1)
    )
    variance = baseline_variance(
        ORIGINAL,
        current,
        forecast_budget=None,
        forecast_end=None,
        # A forecast for a milestone no longer in force is not shown against it.
        milestone_forecasts={"build": date(2026, 10, 1), "launch": date(2026, 6, 5)},
    )
    assert [m.name for m in variance.milestones] == ["launch", "design", "build"]
    launch, design, build = (m.due for m in variance.milestones)
    assert launch == DateVariance(None, date(2026, 6, 1), date(2026, 6, 5))
    assert launch.current_vs_original_days is None
    assert launch.forecast_vs_current_days == 4
    assert design.current_vs_original_days == 92
    assert build == DateVariance(date(2026, 9, 30), None, None)
