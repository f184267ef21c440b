"""A history recompute gives what judging its reports one by one gives, to the last bit.

assess_history works a baseline out once (curve, milestones, signal bands) and starts earned
schedule's search next to the day sought; these properties compare it, and each shortcut,
with the straightforward way on random plans and report series.
"""

from collections.abc import Callable
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st
from pmo_monitoring.domain.early_warning import EarlyWarningSettings
from pmo_monitoring.domain.earned_schedule import earned_schedule_on
from pmo_monitoring.domain.health_rules import HealthAssessment, assess_health, assess_history
from pmo_monitoring.domain.hysteresis import Band, HysteresisMargins, is_above, is_below
from pmo_monitoring.domain.model import (
    MilestoneStatus,
    ProjectBaseline,
    Risk,
    SignalRag,
    StatusReport,
    Thresholds,
)
from pmo_monitoring.domain.planned_value import (
    planned_duration_days,
    planned_value_curve,
    reaching_day_estimate,
)
from pmo_monitoring.domain.trend import TrendPoint, analyse_trend
from pmo_stack.testkit.monitoring_strategies import (
    START,
    baseline,
    manager_rags,
    percent,
    profiles,
    signal_thresholds,
)

NAMES = ("Design", "design ", "Build", "BUILD", "Test", "Go-live", "Straße")

budgets = st.one_of(
    st.sampled_from([0.0, 1.0, 1e-300, 1e12]),
    st.floats(min_value=0, max_value=1e10, allow_nan=False, allow_infinity=False),
)
percents = st.one_of(st.sampled_from([0.0, 100.0]), percent)


@st.composite
def plans(draw: st.DrawFn) -> ProjectBaseline:
    """A baseline, straight-line or with a planned-value profile, with a few milestones."""
    duration = draw(st.one_of(st.sampled_from([0, 1, 2]), st.integers(0, 1_500)))
    profile = draw(profiles(duration, percents)) if duration > 0 and draw(st.booleans()) else ()
    milestones = [
        (f"{draw(st.sampled_from(NAMES))}{i}", day)
        for i, day in enumerate(draw(st.lists(st.integers(-10, duration + 10), max_size=4)))
    ]
    return baseline(duration, draw(budgets), milestones, profile)


@st.composite
def report_series(draw: st.DrawFn, plan: ProjectBaseline) -> list[StatusReport]:
    """Reports mostly at a cadence, sometimes on one day or out of order, oldest first."""
    day = draw(st.integers(-30, 60))
    series: list[StatusReport] = []
    for _ in range(draw(st.integers(1, 14))):
        series.append(
            StatusReport(
                as_of=START + timedelta(days=day),
                percent_complete=draw(percents),
                actual_cost=draw(st.one_of(st.just(plan.budget), budgets)),
                milestones=tuple(
                    MilestoneStatus(
                        draw(st.sampled_from([m.name, m.name.upper(), f" {m.name} "])),
                        draw(st.sampled_from(["done", "Done ", "late", "in_progress"])),
                        draw(st.none() | st.just(m.due_date + timedelta(days=9))),
                    )
                    for m in plan.milestones
                    if draw(st.booleans())
                ),
                risks=tuple(
                    Risk(f"R{i}", draw(st.floats(0, 1)), draw(st.integers(1, 5)))
                    for i in range(draw(st.integers(0, 4)))
                ),
                manager_rag=draw(manager_rags),
                summary=draw(st.none() | st.sampled_from(["", "on track", "x" * 250])),
            )
        )
        day += draw(st.sampled_from([30, 30, 14, 7, 1, 0, -5, 90]))
    return series


thresholds = st.one_of(st.just(Thresholds()), signal_thresholds)
early_warnings = st.builds(
    EarlyWarningSettings,
    window=st.integers(2, 8),
    dead_band=st.sampled_from([0.0, 0.01, 0.05]),
    horizon_days=st.integers(0, 200),
)
margins = st.builds(
    HysteresisMargins, index=st.sampled_from([0.0, 0.02, 0.1]), eac_ratio=st.floats(0, 0.05)
)


def one_by_one(
    plan: ProjectBaseline,
    series: list[StatusReport],
    limits: Thresholds,
    warning: EarlyWarningSettings,
    margin: HysteresisMargins,
) -> list[HealthAssessment]:
    """The reference: assess_health per report, history and previous handed over by hand."""
    keep = warning.window - 1
    history: list[TrendPoint] = []
    previous: HealthAssessment | None = None
    assessed: list[HealthAssessment] = []
    for report in series:
        previous = assess_health(
            plan,
            report,
            limits,
            report.as_of,
            None,
            history=history[-keep:],
            previous=previous,
            early_warning=warning,
            hysteresis=margin,
        )
        assessed.append(previous)
        assert previous.metrics is not None
        history.append(TrendPoint.from_metrics(previous.metrics))
    return assessed


@given(st.data(), plans(), thresholds, early_warnings, margins)
def test_assess_history_equals_assessing_each_report_in_turn(
    data: st.DataObject,
    plan: ProjectBaseline,
    limits: Thresholds,
    warning: EarlyWarningSettings,
    margin: HysteresisMargins,
) -> None:
    series = data.draw(report_series(plan))

    recomputed = assess_history(plan, series, limits, early_warning=warning, hysteresis=margin)

    assert recomputed == one_by_one(plan, series, limits, warning, margin)


@given(
    plans(),
    st.lists(percents, min_size=1, max_size=20),
    st.one_of(st.floats(-10, 2_000), st.sampled_from([float("nan"), float("inf")])),
)
def test_earned_schedule_started_near_any_day_equals_the_bisection(
    plan: ProjectBaseline, shares: list[float], any_day: float
) -> None:
    curve, duration = planned_value_curve(plan), planned_duration_days(plan)
    bisection = earned_schedule_on(curve, duration)
    started_near = earned_schedule_on(curve, duration, reaching_day_estimate(plan))
    started_anywhere = earned_schedule_on(curve, duration, lambda ev: any_day)

    for share in shares:
        ev = plan.budget * (share / 100)
        assert started_near(ev) == bisection(ev)
        assert started_anywhere(ev) == bisection(ev)


trend_points = st.builds(
    TrendPoint,
    as_of=st.integers(0, 20).map(lambda day: START + timedelta(days=7 * day)),
    cpi=st.none() | st.floats(0, 3),
    spi_t=st.none() | st.sampled_from([float("inf")]) | st.floats(0, 3),
)


@given(st.lists(trend_points, max_size=12), st.integers(1, 8))
def test_a_trend_of_points_in_any_order_is_the_trend_of_the_last_of_each_day_by_date(
    points: list[TrendPoint], window: int
) -> None:
    last_of_each_day = {point.as_of: point for point in points}
    by_date = [last_of_each_day[day] for day in sorted(last_of_each_day)]

    assert analyse_trend(points, window=window) == analyse_trend(by_date, window=window)


def colour_by_the_rule(
    value: float, amber: float, red: float, worse: Callable[[float, float], bool]
) -> SignalRag | None:
    if worse(value, red):
        return "red"
    return "amber" if worse(value, amber) else None


@given(
    st.floats(-10, 10),
    st.floats(0, 2),
    st.floats(0, 0.5),
    st.floats(0, 0.2),
    st.sampled_from([None, "green", "amber", "red"]),
    st.booleans(),
)
def test_a_band_judges_as_the_rule_reads_with_the_limits_moved_by_the_margin(
    value: float, red: float, gap: float, margin: float, previous: str | None, higher: bool
) -> None:
    # The rule as hysteresis.py states it, limit by limit: plain limits, then the limits a
    # colour held from last time must clear; the held colour wins, with its limit.
    if higher:
        amber, worse, move = red - gap, is_above, -margin
        band = Band.higher_is_worse(amber, red, margin)
    else:
        amber, worse, move = red + gap, is_below, margin
        band = Band.lower_is_worse(amber, red, margin)
    held_amber = amber + move if previous in ("amber", "red") else amber
    held_red = red + move if previous == "red" else red
    plain = colour_by_the_rule(value, amber, red, worse)
    held = colour_by_the_rule(value, held_amber, held_red, worse)

    judged = band.judge(value, previous)

    if held is None:
        assert judged is None
    elif held == plain:
        assert judged == (held, red if held == "red" else amber, False)
    else:
        assert judged == (held, held_red if held == "red" else held_amber, True)
