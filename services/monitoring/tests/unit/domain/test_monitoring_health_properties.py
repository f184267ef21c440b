"""Properties of the rules that must hold for every input, checked with hypothesis."""

import math
from dataclasses import replace
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st
from pmo_monitoring.domain.earned_value import compute_earned_value, earned_schedule_days
from pmo_monitoring.domain.health_rules import assess_health
from pmo_monitoring.domain.model import (
    BaselineMilestone,
    MilestoneStatus,
    ProjectBaseline,
    StatusReport,
    Thresholds,
)
from pmo_monitoring.domain.portfolio import ProjectHealthSnapshot, roll_up
from pmo_monitoring.domain.reasons import rag_rank
from pmo_stack.testkit.monitoring_strategies import (
    START,
    baseline,
    manager_rags,
    money,
    offsets,
    percent,
    positive_money,
    signal_thresholds,
)

durations = st.integers(min_value=0, max_value=3_000)
# The reporting cadence and grace vary as well: the report-overdue rule judges with them.
thresholds = st.builds(
    lambda limits, cadence, grace: replace(
        limits, report_cadence_days=cadence, report_grace_days=grace
    ),
    signal_thresholds,
    st.integers(min_value=1, max_value=60),
    st.integers(min_value=0, max_value=10),
)


@st.composite
def baselines(draw: st.DrawFn) -> ProjectBaseline:
    duration = draw(durations)
    milestone_days = draw(st.lists(st.integers(0, duration), max_size=4))
    return baseline(duration, draw(money), [(f"M{i}", day) for i, day in enumerate(milestone_days)])


@st.composite
def reports(draw: st.DrawFn) -> StatusReport:
    return StatusReport(
        as_of=START + timedelta(days=draw(offsets)),
        percent_complete=draw(percent),
        actual_cost=draw(money),
        milestones=tuple(
            MilestoneStatus(f"M{i}", draw(st.sampled_from(["planned", "done", "late"])))
            for i in range(draw(st.integers(0, 4)))
        ),
        manager_rag=draw(manager_rags),
    )


@given(positive_money, st.floats(min_value=0.01, max_value=100), durations, offsets)
def test_cpi_is_one_when_earned_value_equals_actual_cost(
    budget: float, done: float, duration: int, day: int
) -> None:
    plan = ProjectBaseline("p", "X", START, START + timedelta(duration), budget)
    earned = budget * (done / 100)
    status = StatusReport(START + timedelta(day), percent_complete=done, actual_cost=earned)

    metrics = compute_earned_value(plan, status)

    assert metrics.cpi == 1.0
    assert metrics.cv == 0


@st.composite
def on_plan(draw: st.DrawFn) -> tuple[ProjectBaseline, StatusReport]:
    duration = draw(st.integers(min_value=1, max_value=3_000))
    day = draw(st.integers(min_value=1, max_value=duration))
    budget = draw(positive_money)
    plan = ProjectBaseline(
        "p",
        "X",
        START,
        START + timedelta(duration),
        budget,
        milestones=(BaselineMilestone("Later", START + timedelta(days=day)),),
    )
    done = day / duration * 100
    status = StatusReport(
        START + timedelta(day),
        percent_complete=done,
        actual_cost=budget * (done / 100),
        manager_rag=draw(st.sampled_from([None, "green"])),
    )
    return plan, status


@given(on_plan())
def test_spi_t_and_spi_are_one_when_exactly_on_plan(
    case: tuple[ProjectBaseline, StatusReport],
) -> None:
    plan, status = case

    metrics = compute_earned_value(plan, status)

    assert metrics.spi_t is not None
    assert math.isclose(metrics.spi_t, 1.0, rel_tol=1e-9)
    assert metrics.spi is not None
    assert math.isclose(metrics.spi, 1.0, rel_tol=1e-9)
    assert metrics.forecast_end_date == plan.end_date


@given(on_plan())
def test_a_project_exactly_on_plan_and_on_budget_is_green(
    case: tuple[ProjectBaseline, StatusReport],
) -> None:
    plan, status = case

    assessment = assess_health(plan, status, Thresholds(), status.as_of, None)

    assert assessment.rag == "green"
    assert assessment.reasons == ()


@given(baselines(), reports())
def test_earned_schedule_stays_within_the_planned_duration(
    plan: ProjectBaseline, status: StatusReport
) -> None:
    metrics = compute_earned_value(plan, status)

    assert metrics.es is None or 0 <= metrics.es <= metrics.planned_duration


@given(
    st.lists(st.floats(min_value=0, max_value=1e9), min_size=2, max_size=60),
    st.floats(min_value=0, max_value=2e9),
)
def test_earned_schedule_of_any_rising_curve_is_bounded_and_hits_ev(
    increments: list[float], ev: float
) -> None:
    cumulative = [sum(increments[: i + 1]) for i in range(len(increments))]
    duration = len(cumulative) - 1

    es = earned_schedule_days(ev, cumulative.__getitem__, duration)

    assert 0 <= es <= duration
    if cumulative[0] <= ev < cumulative[-1]:
        whole = math.floor(es)
        assert cumulative[whole] <= ev


@given(baselines(), st.one_of(st.none(), reports()), thresholds, offsets, st.none() | offsets)
def test_rag_is_the_worst_of_the_reasons_and_nothing_divides_by_zero(
    plan: ProjectBaseline,
    status: StatusReport | None,
    limits: Thresholds,
    today: int,
    last_report: int | None,
) -> None:
    last_report_at = None if last_report is None else START + timedelta(days=last_report)

    assessment = assess_health(plan, status, limits, START + timedelta(days=today), last_report_at)

    if assessment.reasons:
        assert rag_rank(assessment.rag) == max(rag_rank(r.rag) for r in assessment.reasons)
    else:
        assert assessment.rag == ("unknown" if status is None else "green")
    assert all(reason.rag in ("amber", "red") for reason in assessment.reasons)
    assert all(reason.message for reason in assessment.reasons)
    if assessment.metrics is not None:
        values = assessment.metrics.rounded().values()
        assert all(math.isfinite(v) for v in values if isinstance(v, float | int))


@given(
    st.lists(
        st.tuples(money, money, money, money, st.sampled_from(["green", "amber", "red"])),
        max_size=8,
    )
)
def test_portfolio_indices_are_computed_from_the_sums(
    rows: list[tuple[float, float, float, float, str]],
) -> None:
    items = [
        ProjectHealthSnapshot(f"p{i}", rag, "EUR", ev=ev, pv=pv, ac=ac, bac=bac)  # type: ignore[arg-type]
        for i, (ev, pv, ac, bac, rag) in enumerate(rows)
    ]

    health = roll_up(items)

    assert health.rag_counts.total == len(rows)
    if not rows:
        assert health.rag == "unknown"
        return
    totals = health.single_currency_totals
    assert totals is not None
    ev, ac = sum(r[0] for r in rows), sum(r[2] for r in rows)
    assert math.isclose(totals.ev, ev)
    if ac > 0 and totals.cpi is not None:
        assert math.isclose(totals.cpi, ev / ac)
