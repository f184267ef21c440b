"""Earned schedule on an S-curve and past the planned end, figures worked by hand.

Formulas: W. Lipke, "Schedule is Different", The Measurable News, March 2003 (ES = C + I,
SPI(t) = ES/AT, SV(t) = ES - AT); TSPI = (PD - ES)/(PD - AT) and IEAC(t) = PD/SPI(t) as in
PMI, Practice Standard for Earned Value Management, 2nd ed. (2011), Appendix D. The plan is
Lipke-style: a six-"month" S-curve (30-day months) with cumulative PV 0, 10, 25, 45, 70, 90,
100 % at months 0..6, carried by a planned-value profile.
"""

from datetime import date, timedelta

import pytest
from pmo_monitoring.domain.earned_schedule import (
    earned_schedule_days,
    independent_duration_days,
    to_complete_schedule_performance_index,
)
from pmo_monitoring.domain.earned_value import compute_earned_value
from pmo_monitoring.domain.health_rules import assess_health
from pmo_monitoring.domain.model import PlannedValuePoint, ProjectBaseline, StatusReport, Thresholds
from pmo_monitoring.domain.reasons import ReasonCode

START = date(2024, 1, 1)
MONTH = 30
S_CURVE = (10.0, 25.0, 45.0, 70.0, 90.0)


def s_curve_plan() -> ProjectBaseline:
    return ProjectBaseline(
        "p-1",
        "Plant upgrade",
        START,
        START + timedelta(6 * MONTH),
        100_000.0,
        planned_value_profile=tuple(
            PlannedValuePoint(START + timedelta((month + 1) * MONTH), percent)
            for month, percent in enumerate(S_CURVE)
        ),
    )


def report(*, day: int, percent: float, cost: float | None = None) -> StatusReport:
    spent = 1_000 * percent if cost is None else cost
    return StatusReport(START + timedelta(day), percent_complete=percent, actual_cost=spent)


def test_month_four_with_35_percent_earned() -> None:
    """Lipke (2003): ES = 2 + (35 - 25)/(45 - 25) = 2.5 months = 75 days at AT = 120."""
    # SPI(t) = 75 / 120 = 0.625 while SPI = 35 / 70 = 0.5; SV(t) = -45 days.
    # TSPI = (180 - 75) / (180 - 120) = 105 / 60 = 1.75: the rest must go 75 % faster.
    # IEAC(t) = 180 / 0.625 = 288 days: 2024-01-01 + 288 days = 2024-10-15.
    metrics = compute_earned_value(s_curve_plan(), report(day=4 * MONTH, percent=35))

    assert metrics.pv == pytest.approx(70_000)
    assert metrics.es == pytest.approx(75)
    assert metrics.spi_t == pytest.approx(0.625)
    assert metrics.spi == pytest.approx(0.5)
    assert metrics.sv_t == pytest.approx(-45)
    assert metrics.tspi == pytest.approx(1.75)
    assert metrics.ieac_t == pytest.approx(288)
    assert metrics.forecast_end_date == date(2024, 10, 15)


def test_late_project_after_its_planned_end() -> None:
    """Lipke (2003)'s late project: month 8 of 6 with 95 % earned; SPI says 0.95, SPI(t) 0.69."""
    # PV = BAC after the end, so SPI = 95/100 = 0.95 (amber limit, not below it), but
    # ES = 5 + (95 - 90)/(100 - 90) = 5.5 months = 165 days, AT = 240: SPI(t) = 0.6875 and
    # SV(t) = -75 days. TSPI has no planned time left (AT >= PD). IEAC(t) = 180 / 0.6875 =
    # 261.8 days, rounded 262: 2024-01-01 + 262 days = 2024-09-19 (244 days reach Sep 1).
    metrics = compute_earned_value(s_curve_plan(), report(day=8 * MONTH, percent=95))

    assert metrics.spi == pytest.approx(0.95)
    assert metrics.es == pytest.approx(165)
    assert metrics.spi_t == pytest.approx(0.6875)
    assert metrics.sv_t == pytest.approx(-75)
    assert metrics.tspi is None
    assert any("TSPI cannot be computed" in note for note in metrics.notes)
    assert metrics.forecast_end_date == date(2024, 9, 19)


def test_finished_late_spi_is_one_but_spi_t_stays_red() -> None:
    """Lipke (2003): at completion SPI = 1.0 however late; SPI(t) = 180 / 270 = 0.667."""
    plan = s_curve_plan()
    status = report(day=9 * MONTH, percent=100)

    metrics = compute_earned_value(plan, status)
    assessment = assess_health(plan, status, Thresholds(), status.as_of, None)

    assert metrics.spi == 1.0
    assert metrics.spi_t == pytest.approx(2 / 3)
    assert metrics.forecast_end_date == status.as_of  # done is done
    assert [r.code for r in assessment.reasons] == [ReasonCode.SPI_T_BELOW_THRESHOLD]
    assert assessment.rag == "red"


def test_tspi_is_one_exactly_on_plan() -> None:
    # Month 2, 25 % earned: ES = 60 = AT, so TSPI = (180 - 60) / (180 - 60) = 1.
    metrics = compute_earned_value(s_curve_plan(), report(day=2 * MONTH, percent=25))

    assert metrics.es == pytest.approx(60)
    assert metrics.tspi == pytest.approx(1.0)
    assert metrics.spi_t == pytest.approx(1.0)


def test_es_on_a_flat_stretch_is_the_day_the_plan_first_reached_ev() -> None:
    # A plan that stands still at 40 % from day 30 to day 60 (a shutdown): EV = 40 % was
    # first planned for day 30, so ES = 30, not 60.
    curve = [0.0] + [40.0 * day / 30 for day in range(1, 31)] + [40.0] * 30 + [100.0]
    assert earned_schedule_days(40.0, curve.__getitem__, 61) == pytest.approx(30)
    assert earned_schedule_days(40.0001, curve.__getitem__, 61) == pytest.approx(60, abs=1e-3)


def test_es_with_a_plan_finished_before_its_end_date() -> None:
    # The curve reaches 100 % on day 80 of 100: the complete work was planned for day 80.
    curve = [min(day / 80, 1.0) * 100 for day in range(101)]
    assert earned_schedule_days(100.0, curve.__getitem__, 100) == pytest.approx(80)


def test_tspi_and_ieac_t_helpers() -> None:
    assert to_complete_schedule_performance_index(75.0, 120, 180) == pytest.approx(1.75)
    assert to_complete_schedule_performance_index(75.0, 180, 180) is None
    assert independent_duration_days(180, 0.625) == pytest.approx(288)
    assert independent_duration_days(180, 0.0) is None
    assert independent_duration_days(180, None) is None
