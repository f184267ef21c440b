"""Trend of CPI and SPI(t), the early warning before red, and the optimism check."""

import pytest
from pmo_monitoring.domain.early_warning import (
    EarlyWarningSettings,
    days_until_below,
    optimism_warning,
    trend_warnings,
)
from pmo_monitoring.domain.health_rules import assess_health
from pmo_monitoring.domain.model import ProjectBaseline, StatusReport, Thresholds
from pmo_monitoring.domain.reasons import ReasonCode
from pmo_monitoring.domain.trend import (
    TrendPoint,
    analyse_trend,
    direction_of,
    index_trend,
    least_squares_slope,
    trend_points,
)
from pmo_stack.testkit.day_numbers import START, on

DEFAULTS = Thresholds()


def weekly(values: list[float], *, cpi: float = 1.0) -> list[TrendPoint]:
    return [TrendPoint(on(7 * week), cpi, value) for week, value in enumerate(values)]


def test_least_squares_slope_by_hand() -> None:
    # x = 0, 14, 28, 42 (mean 21); y = 1.00, 0.98, 0.96, 0.94 (mean 0.97).
    # Sxy = (-21)(0.03) + (-7)(0.01) + 7(-0.01) + 21(-0.03) = -1.40; Sxx = 2 x (441 + 49) = 980
    # slope = -1.40 / 980 = -0.0014286 a day = -0.042857 per 30 days.
    points = [(0.0, 1.00), (14.0, 0.98), (28.0, 0.96), (42.0, 0.94)]

    assert least_squares_slope(points) == pytest.approx(-1.40 / 980)
    trend = index_trend("cpi", [(on(int(x)), y) for x, y in points])
    assert trend.slope_per_30_days == pytest.approx(-0.042857, abs=1e-6)
    assert trend.direction == "declining"
    assert (trend.latest, trend.latest_on, trend.points) == (0.94, on(42), 4)


def test_slope_needs_two_dates() -> None:
    assert least_squares_slope([(3.0, 1.0)]) is None
    assert least_squares_slope([(3.0, 1.0), (3.0, 0.5)]) is None
    assert index_trend("cpi", []).direction is None


@pytest.mark.parametrize(
    ("slope", "direction"),
    [(0.05, "improving"), (0.0101, "improving"), (0.01, "stable"), (0.0, "stable"),
     (-0.01, "stable"), (-0.0101, "declining")],
)  # fmt: skip
def test_dead_band_of_a_hundredth_per_30_days(slope: float, direction: str) -> None:
    assert direction_of(slope) == direction


def test_window_keeps_the_newest_reports_and_a_refiled_day_replaces_the_old() -> None:
    points = weekly([0.5, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    refiled = TrendPoint(on(49), 1.0, 0.2)

    trend = analyse_trend([*points, refiled], window=6)

    assert trend.reports == 6
    assert trend.as_of == on(49)
    assert trend.spi_t.latest == 0.2
    assert trend.cpi.direction == "stable"


def test_reports_without_an_index_are_skipped_for_it() -> None:
    points = [TrendPoint(on(0), None, 1.0), TrendPoint(on(7), 0.9, 0.9)]

    trend = analyse_trend(points)

    assert trend.cpi.points == 1
    assert trend.cpi.direction is None
    assert trend.spi_t.points == 2


def test_warns_three_weeks_before_spi_t_goes_red() -> None:
    # Weekly SPI(t) 0.98 .. 0.93: a slope of -0.01 a week; from 0.93, 0.90 is 0.03 away:
    # 0.03 / (0.01 / 7) = 21 days = 3 weeks.
    trend = analyse_trend(weekly([0.98, 0.97, 0.96, 0.95, 0.94, 0.93]))

    reasons = trend_warnings(trend, DEFAULTS)

    assert len(reasons) == 1
    reason = reasons[0]
    assert reason.code == ReasonCode.TREND_WARNING
    assert reason.message.startswith("At this trend SPI(t) falls below 0.90 in about 3 weeks.")
    assert reason.metric == "spi_t_days_to_red"
    assert reason.value == pytest.approx(21)
    assert reason.threshold == 84
    assert reason.rag == "amber"


def test_no_warning_beyond_the_horizon_when_improving_or_when_already_red() -> None:
    slow = analyse_trend(weekly([1.0, 0.999, 0.998, 0.997, 0.996, 0.995]))  # 0.0043 a month
    far = analyse_trend(weekly([1.20, 1.18, 1.16, 1.14, 1.12, 1.10]))  # 0.20 to go: 70 days
    farther = analyse_trend(weekly([1.30, 1.28, 1.26, 1.24, 1.22, 1.20]))  # 105 days
    better = analyse_trend(weekly([0.90, 0.91, 0.92, 0.93, 0.94, 0.95]))
    already = analyse_trend(weekly([0.93, 0.92, 0.91, 0.90, 0.89, 0.88]))

    assert slow.spi_t.direction == "stable"
    assert trend_warnings(slow, DEFAULTS) == []
    assert len(trend_warnings(far, DEFAULTS)) == 1
    assert trend_warnings(farther, DEFAULTS) == []
    assert trend_warnings(better, DEFAULTS) == []
    assert trend_warnings(already, DEFAULTS) == []


def test_cpi_warning_and_a_custom_horizon() -> None:
    points = [TrendPoint(on(7 * week), 1.0 - 0.01 * week, 1.0) for week in range(6)]
    trend = analyse_trend(points)  # CPI 0.95 now, 0.05 above red: 35 days

    assert [r.metric for r in trend_warnings(trend, DEFAULTS)] == ["cpi_days_to_red"]
    short = EarlyWarningSettings(horizon_days=28)
    assert trend_warnings(trend, DEFAULTS, short) == []


def test_days_until_below() -> None:
    assert days_until_below(0.93, -0.01 / 7, 0.90) == pytest.approx(21)
    assert days_until_below(0.90, -0.01, 0.90) == 0
    assert days_until_below(0.93, 0.0, 0.90) is None


def test_optimism_warning_names_what_is_needed_and_what_was_achieved() -> None:
    """TCPI > CPI + 0.10 (Fleming and Koppelman, 2010; Lipke, 2016): 1.25 needed after 0.85."""
    reason = optimism_warning(tcpi=1.25, cpi=0.85)

    assert reason is not None
    assert reason.code == ReasonCode.OPTIMISM_WARNING
    assert reason.message == (
        "Finishing on budget needs a cost performance of 1.25 from now on, far above the "
        "0.85 achieved so far."
    )
    assert (reason.metric, reason.value, reason.rag) == ("tcpi", 1.25, "amber")
    assert reason.threshold == pytest.approx(0.95)


def test_optimism_thresholds() -> None:
    assert optimism_warning(tcpi=1.05, cpi=0.96) is None  # gap 0.09, below 1.10
    assert optimism_warning(tcpi=1.07, cpi=0.96) is not None  # gap 0.11
    assert optimism_warning(tcpi=1.06, cpi=0.96) is None  # exactly 0.10 does not cross
    assert optimism_warning(tcpi=-2.0, cpi=0.5) is None  # budget already spent
    assert optimism_warning(tcpi=None, cpi=0.5) is None
    settings = EarlyWarningSettings(tcpi_limit=1.0, tcpi_cpi_gap=0.5)
    limited = optimism_warning(tcpi=1.05, cpi=0.9, settings=settings)
    assert limited is not None
    assert "rarely sustained" in limited.message
    assert limited.threshold == 1.0


def straight_plan() -> ProjectBaseline:
    return ProjectBaseline("p", "Portal", START, on(100), 100_000.0)


def drifting_reports() -> list[StatusReport]:
    # On a 100-day straight line SPI(t) = percent / day: 1.00, 0.99, 0.98, 0.97, 0.96 on
    # days 14..42, spent as earned (CPI 1). Every signal is green on day 42.
    return [
        StatusReport(on(day), percent_complete=day * spi, actual_cost=1_000 * day * spi)
        for day, spi in ((14, 1.00), (21, 0.99), (28, 0.98), (35, 0.97), (42, 0.96))
    ]


def test_a_green_project_drifting_towards_red_is_amber_with_history() -> None:
    # Slope -0.01 a week; from 0.96, 0.90 is 0.06 / (0.01 / 7) = 42 days = 6 weeks away.
    plan = straight_plan()
    *earlier, latest = drifting_reports()

    plain = assess_health(plan, latest, DEFAULTS, latest.as_of, None)
    warned = assess_health(
        plan, latest, DEFAULTS, latest.as_of, None, history=trend_points(plan, earlier)
    )

    assert plain.rag == "green"
    assert plain.trend is None
    assert warned.rag == "amber"
    assert [r.code for r in warned.reasons] == [ReasonCode.TREND_WARNING]
    assert "falls below 0.90 in about 6 weeks" in warned.reasons[0].message
    assert warned.trend is not None
    assert warned.trend.spi_t.direction == "declining"
    assert warned.trend.cpi.direction == "stable"


def test_history_dated_after_the_report_is_ignored() -> None:
    plan = straight_plan()
    *earlier, latest = drifting_reports()
    later = TrendPoint(on(60), 2.0, 2.0)

    warned = assess_health(
        plan,
        latest,
        DEFAULTS,
        latest.as_of,
        None,
        history=[*trend_points(plan, earlier), later],
    )

    assert warned.trend is not None
    assert warned.trend.as_of == latest.as_of
    assert warned.trend.spi_t.points == 5
    assert [r.code for r in warned.reasons] == [ReasonCode.TREND_WARNING]


def test_the_optimism_warning_alone_makes_a_project_amber_never_red() -> None:
    # Day 77, 76.8 % done, 80,000 spent: CPI 0.96 (green), EAC 104,167 (4.2 % over: green),
    # SPI = SPI(t) = 76.8 / 77 (green); TCPI = 23,200 / 20,000 = 1.16 > 0.96 + 0.10.
    status = StatusReport(on(77), percent_complete=76.8, actual_cost=80_000)

    assessment = assess_health(straight_plan(), status, DEFAULTS, on(77), None, history=())

    assert assessment.rag == "amber"
    assert [r.code for r in assessment.reasons] == [ReasonCode.OPTIMISM_WARNING]
    assert "1.16" in assessment.reasons[0].message
    assert "0.96" in assessment.reasons[0].message


def test_advisory_reasons_come_after_the_signals() -> None:
    status = StatusReport(on(50), percent_complete=53.125, actual_cost=62_500)

    assessment = assess_health(straight_plan(), status, DEFAULTS, on(50), None, history=())

    assert assessment.rag == "red"
    assert assessment.reasons[-1].code == ReasonCode.OPTIMISM_WARNING
