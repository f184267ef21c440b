"""Properties of forecasts, earned schedule on profiles, trends and early warnings (hypothesis)."""

import math
from datetime import timedelta

from hypothesis import assume, given
from hypothesis import strategies as st
from pmo_monitoring.domain.earned_schedule import earned_schedule_days
from pmo_monitoring.domain.earned_value import EarnedValueMetrics, compute_earned_value
from pmo_monitoring.domain.health_rules import assess_health
from pmo_monitoring.domain.model import (
    ManagerRag,
    MilestoneStatus,
    PlannedValuePoint,
    ProjectBaseline,
    Risk,
    StatusReport,
    Thresholds,
)
from pmo_monitoring.domain.planned_value import planned_value_curve
from pmo_monitoring.domain.reasons import ADVISORY_CODES, rag_rank
from pmo_monitoring.domain.trend import TrendPoint, analyse_trend, least_squares_slope
from pmo_stack.testkit.monitoring_strategies import (
    START,
    baseline,
    money,
    offsets,
    percent,
    positive_money,
    profiles,
)

indices = st.none() | st.floats(min_value=0, max_value=3)


@st.composite
def baselines(draw: st.DrawFn) -> ProjectBaseline:
    duration = draw(st.integers(min_value=0, max_value=3_000))
    milestone_days = draw(st.lists(st.integers(0, duration), max_size=3))
    return baseline(
        duration,
        draw(money),
        [(f"M{i}", day) for i, day in enumerate(milestone_days)],
        draw(profiles(duration)),
    )


manager_rags: st.SearchStrategy[ManagerRag | None] = st.sampled_from([None, "amber", "red"])


@st.composite
def reports(draw: st.DrawFn) -> StatusReport:
    return StatusReport(
        as_of=START + timedelta(draw(offsets)),
        percent_complete=draw(percent),
        actual_cost=draw(money),
        milestones=tuple(
            MilestoneStatus(f"M{i}", draw(st.sampled_from(["done", "late"])), draw(st.none()))
            for i in range(draw(st.integers(0, 3)))
        ),
        risks=tuple(
            Risk(f"R{i}", draw(st.floats(0, 1)), draw(st.integers(1, 5)))
            for i in range(draw(st.integers(0, 4)))
        ),
        manager_rag=draw(manager_rags),
    )


MONEY = frozenset(
    {"pv", "ev", "ac", "bac", "cv", "sv", "eac", "etc", "vac", "eac_cpi", "eac_atypical"}
    | {"eac_composite", "etc_cpi", "etc_atypical", "etc_composite"}
)


def numbers(metrics: EarnedValueMetrics) -> list[float]:
    return [v for v in metrics.rounded().values() if isinstance(v, float | int)]


@given(positive_money, st.integers(1, 3_000), st.data())
def test_eac_variants_coincide_when_cpi_and_spi_are_one(
    budget: float, duration: int, data: st.DataObject
) -> None:
    day = data.draw(st.integers(1, duration - 1)) if duration > 1 else 1
    done = min(day / duration * 100, 100.0)
    plan = ProjectBaseline("p", "X", START, START + timedelta(duration), budget)
    metrics = compute_earned_value(
        plan, StatusReport(START + timedelta(day), done, budget * done / 100)
    )
    assume(metrics.spi is not None and math.isclose(metrics.spi, 1.0, rel_tol=1e-12))

    eacs = [metrics.eac_cpi, metrics.eac_atypical, metrics.eac_composite]
    assert all(eac is not None and math.isclose(eac, budget, rel_tol=1e-9) for eac in eacs)


@given(st.integers(1, 3_000), st.data())
def test_tspi_is_one_when_exactly_on_plan(duration: int, data: st.DataObject) -> None:
    assume(duration > 1)
    day = data.draw(st.integers(1, duration - 1))
    plan = ProjectBaseline("p", "X", START, START + timedelta(duration), 1_000.0)
    status = StatusReport(START + timedelta(day), day / duration * 100, 10.0)

    metrics = compute_earned_value(plan, status)

    assert metrics.tspi is not None
    assert math.isclose(metrics.tspi, 1.0, rel_tol=1e-6)


@given(baselines(), percent, percent)
def test_es_is_within_the_planned_duration_and_monotonic_in_ev(
    plan: ProjectBaseline, first: float, second: float
) -> None:
    duration = (plan.end_date - plan.start_date).days
    curve = planned_value_curve(plan)
    low, high = sorted((plan.budget * first / 100, plan.budget * second / 100))

    es_low = earned_schedule_days(low, curve, duration)
    es_high = earned_schedule_days(high, curve, duration)

    assert 0 <= es_low <= es_high <= max(duration, 0)


@given(positive_money, st.integers(1, 2_000), st.data(), percent, money, offsets)
def test_a_profile_on_the_straight_line_gives_the_straight_line_results(
    budget: float, duration: int, data: st.DataObject, done: float, cost: float, day: int
) -> None:
    days = sorted(data.draw(st.sets(st.integers(0, duration), max_size=5)))
    line = ProjectBaseline("p", "X", START, START + timedelta(duration), budget)
    profiled = ProjectBaseline(
        "p",
        "X",
        START,
        START + timedelta(duration),
        budget,
        planned_value_profile=tuple(
            PlannedValuePoint(START + timedelta(d), d / duration * 100) for d in days
        ),
    )
    status = StatusReport(START + timedelta(day), done, cost)

    straight = compute_earned_value(line, status)
    curved = compute_earned_value(profiled, status)

    curved_figures = curved.rounded(decimals=12)
    for key, value in straight.rounded(decimals=12).items():
        other = curved_figures[key]
        if not isinstance(value, float | int) or not isinstance(other, float | int):
            assert value == other or key == "forecast_end_date"
            continue
        scale = max(budget, 1.0) if key in MONEY else 1.0
        assert math.isclose(value, other, rel_tol=1e-6, abs_tol=1e-6 * scale), key
    if straight.forecast_end_date is not None and curved.forecast_end_date is not None:
        assert abs((straight.forecast_end_date - curved.forecast_end_date).days) <= 1


@given(
    st.lists(
        st.tuples(st.integers(0, 400), st.floats(min_value=0, max_value=3)),
        min_size=2,
        max_size=8,
        unique_by=lambda point: point[0],
    )
)
def test_trend_direction_follows_the_sign_of_the_slope(points: list[tuple[int, float]]) -> None:
    series = [TrendPoint(START + timedelta(d), v, v) for d, v in sorted(points)]

    trend = analyse_trend(series, window=len(series)).cpi

    slope = least_squares_slope([(float(d), v) for d, v in sorted(points)])
    assert slope is not None
    assert trend.slope_per_30_days is not None
    if trend.direction == "improving":
        assert slope > 0
    elif trend.direction == "declining":
        assert slope < 0
    else:
        assert abs(trend.slope_per_30_days) <= trend_dead_band()


def trend_dead_band() -> float:
    return analyse_trend([]).dead_band


history_points = st.lists(
    st.builds(
        lambda d, cpi, spi_t: TrendPoint(START + timedelta(d), cpi, spi_t),
        offsets,
        indices,
        indices,
    ),
    max_size=8,
)
previous_colours = st.dictionaries(
    st.sampled_from(
        ["cpi_below_threshold", "spi_below_threshold", "spi_t_below_threshold", "eac_over_budget"]
    ),
    st.sampled_from(["amber", "red", "green", "unknown"]),
)


@given(baselines(), st.none() | reports(), offsets, history_points, previous_colours)
def test_no_input_raises_or_yields_nan_and_advisories_stay_amber(
    plan: ProjectBaseline,
    status: StatusReport | None,
    today: int,
    history: list[TrendPoint],
    previous: dict[str, str],
) -> None:
    assessment = assess_health(
        plan,
        status,
        Thresholds(),
        START + timedelta(today),
        None,
        history=history,
        previous=previous,
    )

    if assessment.metrics is not None:
        assert all(math.isfinite(value) for value in numbers(assessment.metrics))
    for reason in assessment.reasons:
        assert reason.value is None or math.isfinite(reason.value)
        assert reason.threshold is None or math.isfinite(reason.threshold)
        if reason.code in ADVISORY_CODES:
            assert reason.rag == "amber"
    if assessment.reasons:
        assert rag_rank(assessment.rag) == max(rag_rank(r.rag) for r in assessment.reasons)
    non_advisory = [r for r in assessment.reasons if r.code not in ADVISORY_CODES]
    if status is not None and not non_advisory:
        assert assessment.rag in ("green", "amber")
    if assessment.trend is not None:
        for index in (assessment.trend.cpi, assessment.trend.spi_t):
            assert index.slope_per_30_days is None or math.isfinite(index.slope_per_30_days)
    if assessment.risks is not None:
        assert math.isfinite(assessment.risks.total)
