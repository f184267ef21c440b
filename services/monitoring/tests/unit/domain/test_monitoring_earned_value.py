"""Earned-value and earned-schedule worked examples, figures checked by hand.

Sources: PMI, Practice Standard for Earned Value Management (2nd ed., 2011); W. Lipke,
"Schedule is Different", The Measurable News, March 2003; K. Henderson, "Further Developments
in Earned Schedule", The Measurable News, Spring 2004 (IEAC(t) = PD / SPI(t)).
"""

from datetime import date, timedelta

import pytest
from pmo_monitoring.domain.earned_value import (
    compute_earned_value,
    earned_schedule_days,
    planned_value_at,
)
from pmo_monitoring.domain.model import ProjectBaseline, StatusReport

START = date(2024, 1, 1)


def baseline(*, days: int = 200, budget: float = 100_000.0) -> ProjectBaseline:
    return ProjectBaseline(
        project_id="p-1",
        name="Warehouse system",
        start_date=START,
        end_date=START + timedelta(days=days),
        budget=budget,
    )


def report(*, day: int, percent: float, cost: float) -> StatusReport:
    return StatusReport(
        as_of=START + timedelta(days=day), percent_complete=percent, actual_cost=cost
    )


def test_classic_textbook_example_bac_100k_half_planned_40_percent_done_45k_spent() -> None:
    # BAC 100,000; halfway through a 200-day plan PV = 50,000; 40 % done so EV = 40,000;
    # AC = 45,000. By hand: CV = -5,000, SV = -10,000, CPI = 40/45 = 0.8889, SPI = 0.8,
    # EAC = 100,000 / 0.8889 = 112,500, ETC = 67,500, VAC = -12,500,
    # TCPI = (100,000 - 40,000) / (100,000 - 45,000) = 60/55 = 1.0909.
    metrics = compute_earned_value(baseline(), report(day=100, percent=40, cost=45_000))

    assert metrics.pv == pytest.approx(50_000)
    assert metrics.ev == pytest.approx(40_000)
    assert metrics.ac == 45_000
    assert metrics.cv == pytest.approx(-5_000)
    assert metrics.sv == pytest.approx(-10_000)
    assert metrics.cpi == pytest.approx(0.8889, abs=1e-4)
    assert metrics.spi == pytest.approx(0.8)
    assert metrics.eac == pytest.approx(112_500)
    assert metrics.etc == pytest.approx(67_500)
    assert metrics.vac == pytest.approx(-12_500)
    assert metrics.tcpi == pytest.approx(1.0909, abs=1e-4)
    assert metrics.notes == ()


def test_earned_schedule_of_the_textbook_example_on_a_straight_line_plan() -> None:
    # EV 40,000 was planned for day 80 of 200 (40 % of the line): ES = 80, AT = 100,
    # SPI(t) = 0.8, SV(t) = -20 days, IEAC(t) = 200 / 0.8 = 250 days after the start.
    metrics = compute_earned_value(baseline(), report(day=100, percent=40, cost=45_000))

    assert metrics.es == pytest.approx(80)
    assert metrics.at == 100
    assert metrics.spi_t == pytest.approx(0.8)
    assert metrics.sv_t == pytest.approx(-20)
    assert metrics.forecast_end_date == START + timedelta(days=250)


def test_lipke_style_monthly_s_curve_interpolates_between_periods() -> None:
    # Lipke's method on a cumulative PV table by month (thousands): 0, 10, 25, 45, 70, 90, 100.
    # At month 4 EV = 35: C = 2 (PV_2 = 25 <= 35 < PV_3 = 45), so
    # ES = 2 + (35 - 25) / (45 - 25) = 2.5 months; SPI(t) = 2.5 / 4 = 0.625 while
    # SPI = 35 / 70 = 0.5; IEAC(t) = 6 / 0.625 = 9.6 months.
    cumulative_pv = [0.0, 10.0, 25.0, 45.0, 70.0, 90.0, 100.0]
    es = earned_schedule_days(35.0, cumulative_pv.__getitem__, 6)

    assert es == pytest.approx(2.5)
    assert es / 4 == pytest.approx(0.625)
    assert 6 / (es / 4) == pytest.approx(9.6)


def test_lipke_late_project_spi_recovers_to_one_but_spi_t_keeps_the_delay() -> None:
    # Lipke's point: after the planned end PV = BAC, so SPI drifts to 1 however late the
    # project is. Month 8 of a 6-month plan, EV = 95: SPI = 95 / 100 = 0.95 but
    # ES = 5 + (95 - 90) / (100 - 90) = 5.5 and SPI(t) = 5.5 / 8 = 0.6875.
    cumulative_pv = [0.0, 10.0, 25.0, 45.0, 70.0, 90.0, 100.0]
    es = earned_schedule_days(95.0, cumulative_pv.__getitem__, 6)

    assert es == pytest.approx(5.5)
    assert es / 8 == pytest.approx(0.6875)


def test_finished_late_project_has_spi_one_and_spi_t_below_one() -> None:
    # 100 % done on day 250 of a 200-day plan: SPI = 100k / 100k = 1, ES = 200 (capped),
    # SPI(t) = 200 / 250 = 0.8, and the forecast end is the report date itself.
    metrics = compute_earned_value(baseline(), report(day=250, percent=100, cost=100_000))

    assert metrics.spi == pytest.approx(1.0)
    assert metrics.es == 200
    assert metrics.spi_t == pytest.approx(0.8)
    assert metrics.forecast_end_date == START + timedelta(days=250)


def test_earned_schedule_is_capped_at_the_planned_duration() -> None:
    assert earned_schedule_days(150.0, lambda day: min(day * 25.0, 100.0), 4) == 4


def test_earned_schedule_is_zero_when_nothing_is_earned() -> None:
    assert earned_schedule_days(0.0, lambda day: day * 10.0, 10) == 0


def test_planned_value_is_a_straight_line_clamped_to_zero_and_bac() -> None:
    plan = baseline(days=100, budget=1_000)

    assert planned_value_at(plan, START - timedelta(days=5)) == 0
    assert planned_value_at(plan, START) == 0
    assert planned_value_at(plan, START + timedelta(days=25)) == pytest.approx(250)
    assert planned_value_at(plan, START + timedelta(days=100)) == 1_000
    assert planned_value_at(plan, START + timedelta(days=400)) == 1_000


def test_no_actual_cost_leaves_cost_ratios_empty_with_a_note() -> None:
    metrics = compute_earned_value(baseline(), report(day=10, percent=5, cost=0))

    assert (metrics.cpi, metrics.eac, metrics.etc, metrics.vac) == (None, None, None, None)
    assert any("no actual cost" in note for note in metrics.notes)
    assert metrics.spi == pytest.approx(1.0)


def test_report_dated_on_the_start_day_has_no_spi_nor_spi_t() -> None:
    metrics = compute_earned_value(baseline(), report(day=0, percent=0, cost=0))

    assert metrics.pv == 0
    assert metrics.spi is None
    assert metrics.spi_t is None
    assert metrics.forecast_end_date is None
    assert any("SPI cannot" in note for note in metrics.notes)
    assert any("SPI(t) cannot" in note for note in metrics.notes)


def test_cost_without_progress_gives_zero_cpi_and_no_eac() -> None:
    metrics = compute_earned_value(baseline(), report(day=50, percent=0, cost=10_000))

    assert metrics.cpi == 0
    assert metrics.eac is None
    assert metrics.spi_t == 0
    assert metrics.forecast_end_date is None
    assert any("nothing is earned" in note for note in metrics.notes)


def test_budget_fully_spent_leaves_tcpi_empty() -> None:
    metrics = compute_earned_value(baseline(), report(day=150, percent=80, cost=100_000))

    assert metrics.tcpi is None
    assert any("TCPI" in note for note in metrics.notes)


def test_zero_day_project_has_no_earned_schedule() -> None:
    metrics = compute_earned_value(baseline(days=0), report(day=0, percent=100, cost=1))

    assert metrics.es is None
    assert metrics.spi_t is None
    assert metrics.pv == 100_000
    assert any("planned duration is zero" in note for note in metrics.notes)


def test_rounded_metrics_have_four_decimals_and_keep_dates() -> None:
    metrics = compute_earned_value(baseline(), report(day=100, percent=40, cost=45_000))
    rounded = metrics.rounded()

    assert rounded["cpi"] == 0.8889
    assert rounded["tcpi"] == 1.0909
    assert rounded["eac"] == 112_500
    assert rounded["forecast_end_date"] == START + timedelta(days=250)
    assert metrics.cpi != rounded["cpi"]  # full precision is kept inside the domain
