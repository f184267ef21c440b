"""EAC variants, ETCs and the to-complete indices, figures worked by hand.

Formulas: PMI, Practice Standard for Earned Value Management, 2nd ed. (2011), ch. 6 (EAC =
BAC/CPI, EAC = AC + (BAC - EV), EAC = AC + (BAC - EV)/(CPI x SPI), ETC = EAC - AC,
TCPI = (BAC - EV)/(BAC - AC) and (BAC - EV)/(EAC - AC)); the same in PMI, The Standard for
Earned Value Management (2019). The projects are our own; every figure is computed by hand.
"""

from datetime import date, timedelta

import pytest
from pmo_monitoring.domain.earned_value import compute_earned_value
from pmo_monitoring.domain.forecasts import cost_forecasts, to_complete_performance_index
from pmo_monitoring.domain.model import ProjectBaseline, StatusReport

START = date(2024, 1, 1)


def plan(*, days: int = 200, budget: float = 100_000.0) -> ProjectBaseline:
    return ProjectBaseline("p-1", "Warehouse system", START, START + timedelta(days), budget)


def report(*, day: int, percent: float, cost: float) -> StatusReport:
    return StatusReport(START + timedelta(day), percent_complete=percent, actual_cost=cost)


def test_the_three_eac_variants_of_the_textbook_overrun() -> None:
    """PSEVM (2011) ch. 6 formulas on BAC 100,000, PV 50,000, EV 40,000, AC 45,000."""
    # CPI = 40/45 = 0.8889, SPI = 40/50 = 0.8.
    # EAC(CPI)       = 100,000 / 0.8889           = 112,500;  ETC = 67,500
    # EAC(atypical)  = 45,000 + (100,000 - 40,000) = 105,000;  ETC = 60,000
    # EAC(composite) = 45,000 + 60,000 / (0.8889 x 0.8) = 45,000 + 60,000 x 45/32
    #                = 45,000 + 84,375            = 129,375;  ETC = 84,375
    metrics = compute_earned_value(plan(), report(day=100, percent=40, cost=45_000))

    assert metrics.eac_cpi == pytest.approx(112_500)
    assert metrics.eac_cpi == metrics.eac
    assert metrics.etc_cpi == pytest.approx(67_500)
    assert metrics.eac_atypical == pytest.approx(105_000)
    assert metrics.etc_atypical == pytest.approx(60_000)
    assert metrics.eac_composite == pytest.approx(129_375)
    assert metrics.etc_composite == pytest.approx(84_375)
    assert metrics.notes == ()


def test_tcpi_to_bac_and_to_eac() -> None:
    """TCPI per PSEVM (2011): to BAC 60/55 = 1.0909; to EAC 60/67.5 = 0.8889 (= CPI)."""
    # TCPI(BAC) = (100,000 - 40,000) / (100,000 - 45,000) = 60,000 / 55,000 = 1.0909
    # TCPI(EAC) = 60,000 / (112,500 - 45,000) = 60,000 / 67,500 = 0.8889: with EAC = BAC/CPI
    # it always equals CPI, since (BAC - EV) / (BAC/CPI - AC) = CPI (BAC - EV)/(BAC - EV).
    metrics = compute_earned_value(plan(), report(day=100, percent=40, cost=45_000))

    assert metrics.tcpi_bac == pytest.approx(1.0909, abs=1e-4)
    assert metrics.tcpi_bac == metrics.tcpi
    assert metrics.tcpi_eac == pytest.approx(40 / 45)
    assert metrics.cpi is not None
    assert metrics.tcpi_eac == pytest.approx(metrics.cpi)


def test_tcpi_to_a_managers_estimate() -> None:
    """TCPI to an EAC of 110,000 (PSEVM 2011): (100,000 - 40,000) / (110,000 - 45,000)."""
    # = 60,000 / 65,000 = 0.9231: the rest must be done at 0.92, better than the 0.89 so far.
    tcpi = to_complete_performance_index(bac=100_000, ev=40_000, ac=45_000, target=110_000)

    assert tcpi == pytest.approx(0.9231, abs=1e-4)


def test_optimism_example_needs_1_25_after_0_85() -> None:
    """BAC 100,000, EV 53,125, AC 62,500: CPI 0.85 and TCPI 46,875 / 37,500 = 1.25."""
    metrics = compute_earned_value(plan(), report(day=100, percent=53.125, cost=62_500))

    assert metrics.cpi == pytest.approx(0.85)
    assert metrics.tcpi_bac == pytest.approx(1.25)


def test_on_budget_and_on_schedule_all_variants_agree() -> None:
    # CPI = SPI = 1 (day 100 of 200, 50 % done, 50,000 spent): every EAC is BAC.
    metrics = compute_earned_value(plan(), report(day=100, percent=50, cost=50_000))

    assert metrics.eac_cpi == metrics.eac_atypical == metrics.eac_composite == 100_000
    assert metrics.tcpi_bac == 1.0


def test_without_actual_cost_only_the_atypical_eac_exists() -> None:
    # AC = 0: CPI is undefined, so EAC(CPI), EAC(composite) and TCPI(EAC) are None; the
    # atypical EAC = 0 + (100,000 - 5,000) = 95,000 needs no index.
    metrics = compute_earned_value(plan(), report(day=10, percent=5, cost=0))

    assert (metrics.eac_cpi, metrics.eac_composite, metrics.tcpi_eac) == (None, None, None)
    assert metrics.eac_atypical == pytest.approx(95_000)
    assert metrics.etc_atypical == pytest.approx(95_000)
    assert metrics.tcpi_bac == pytest.approx(0.95)


def test_composite_needs_spi_and_says_so() -> None:
    # Reported on the start day with cost and progress: PV = 0, so SPI and the composite
    # EAC are None, while EAC(CPI) = 100,000 / (1,000 / 2,000) = 200,000 exists.
    metrics = compute_earned_value(plan(), report(day=0, percent=1, cost=2_000))

    assert metrics.spi is None
    assert metrics.eac_cpi == pytest.approx(200_000)
    assert metrics.eac_composite is None
    assert any("composite EAC" in note and "SPI" in note for note in metrics.notes)


def test_tcpi_to_eac_is_none_once_the_work_is_complete() -> None:
    # 100 % done at 120,000: EAC = BAC / CPI = 100,000 / (100/120) = 120,000 = AC, so
    # EAC - AC = 0 and TCPI(EAC) has no denominator; TCPI(BAC) = 0 / -20,000 = 0.
    metrics = compute_earned_value(plan(), report(day=210, percent=100, cost=120_000))

    assert metrics.eac == pytest.approx(120_000)
    assert metrics.tcpi_eac is None
    assert metrics.tcpi_bac == 0
    assert any("TCPI to EAC" in note for note in metrics.notes)


def test_cost_forecasts_directly() -> None:
    forecasts = cost_forecasts(bac=1_000.0, ev=500.0, ac=400.0, cpi=1.25, spi=0.8)

    # EAC(CPI) = 800, EAC(atypical) = 900, CPI x SPI = 1 so EAC(composite) = 900 too.
    assert forecasts.eac_cpi == pytest.approx(800)
    assert forecasts.eac_atypical == pytest.approx(900)
    assert forecasts.eac_composite == pytest.approx(900)
    assert forecasts.tcpi_bac == pytest.approx(500 / 600)
    assert forecasts.notes == ()


def test_rounded_metrics_carry_the_new_figures_as_plain_numbers() -> None:
    rounded = compute_earned_value(plan(), report(day=100, percent=40, cost=45_000)).rounded()

    assert rounded["eac_composite"] == 129_375
    assert rounded["tcpi_eac"] == 0.8889
    assert rounded["tspi"] == 1.2
    assert rounded["ieac_t"] == 250
    dated = [key for key, value in rounded.items() if isinstance(value, date)]
    assert dated == ["forecast_end_date"]
