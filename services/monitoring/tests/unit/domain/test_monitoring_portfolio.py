"""Portfolio roll-up: money summed, indices from the sums, colours counted."""

from datetime import date, timedelta
from functools import partial

import pytest
from pmo_monitoring.domain.health_rules import assess_health
from pmo_monitoring.domain.model import ProjectBaseline, StatusReport, Thresholds
from pmo_monitoring.domain.portfolio import (
    ProjectHealthSnapshot,
    group_by_portfolio,
    roll_up,
    roll_up_by_portfolio,
)
from pmo_monitoring.domain.reasons import ReasonCode

# A project's snapshot in EUR and in portfolio pf-1, unless a test says otherwise.
snapshot = partial(ProjectHealthSnapshot, currency="EUR", portfolio_id="pf-1")


def test_indices_come_from_sums_so_a_big_project_outweighs_a_small_one() -> None:
    # Big: EV 900k, PV 1,000k, AC 1,000k (CPI 0.90). Small: EV 100k, PV 50k, AC 50k (CPI 2).
    # Averaging CPIs would give 1.45 (green); the sums give CPI = 1,000/1,050 = 0.952 and
    # SPI = 1,000/1,050 = 0.952, both just above 0.95: green, and EAC 1,211,111 vs BAC 1,200k
    # is 0.9% over: green too.
    big = snapshot("big", "red", ev=900e3, pv=1_000e3, ac=1_000e3, bac=1_000e3, eac=1_111_111)
    small = snapshot("small", "green", ev=100e3, pv=50e3, ac=50e3, bac=200e3, eac=100e3)
    health = roll_up([big, small], portfolio_id="pf-1")

    totals = health.single_currency_totals
    assert totals is not None
    assert (totals.ev, totals.pv, totals.ac, totals.bac) == (1_000e3, 1_050e3, 1_050e3, 1_200e3)
    assert totals.eac == pytest.approx(1_211_111)
    assert totals.cpi == pytest.approx(0.9524, abs=1e-4)
    assert totals.spi == pytest.approx(0.9524, abs=1e-4)
    assert health.rag == "green"
    assert health.rag_counts.red == 1
    assert health.rag_counts.green == 1


def test_a_portfolio_under_its_thresholds_is_red_with_reasons() -> None:
    # EV 160k, PV 200k, AC 200k: CPI 0.80, SPI 0.80; EAC 250k vs BAC 200k.
    projects = [
        snapshot("a", "red", ev=80e3, pv=100e3, ac=100e3, bac=100e3, eac=125e3),
        snapshot("b", "red", ev=80e3, pv=100e3, ac=100e3, bac=100e3, eac=125e3),
    ]
    health = roll_up(projects)

    assert health.rag == "red"
    assert {r.code for r in health.reasons} == {
        ReasonCode.CPI_BELOW_THRESHOLD,
        ReasonCode.SPI_BELOW_THRESHOLD,
        ReasonCode.EAC_OVER_BUDGET,
    }


def test_projects_without_report_are_counted_but_not_summed() -> None:
    health = roll_up(
        [
            snapshot("a", "green", ev=50e3, pv=50e3, ac=50e3, bac=100e3, eac=100e3),
            snapshot("b", "unknown"),
            snapshot("c", "amber"),
        ]
    )

    assert (health.project_count, health.reporting_count) == (3, 1)
    counts = health.rag_counts
    assert (counts.unknown, counts.amber, counts.total) == (1, 1, 3)
    totals = health.single_currency_totals
    assert totals is not None
    assert (totals.bac, totals.project_count) == (100e3, 1)


def test_no_reporting_project_leaves_the_portfolio_unknown() -> None:
    health = roll_up([snapshot("a", "unknown"), snapshot("b", "amber")])

    assert health.rag == "unknown"
    assert health.totals == ()
    assert health.single_currency_totals is None


def test_unknown_eac_counts_at_budget() -> None:
    health = roll_up([snapshot("a", "green", ev=0.0, pv=0.0, ac=0.0, bac=100e3, eac=None)])

    totals = health.single_currency_totals
    assert totals is not None
    assert totals.eac == 100e3
    assert totals.cpi is None
    assert any("at their budget" in note for note in health.notes)


def test_currencies_are_never_added_together() -> None:
    health = roll_up(
        [
            snapshot("eu", "green", ev=100.0, pv=100.0, ac=100.0, bac=200.0, eac=200.0),
            snapshot(
                "us", "red", ev=50.0, pv=100.0, ac=100.0, bac=200.0, eac=400.0, currency="USD"
            ),
        ]
    )

    assert [(t.currency, t.ev, t.rag) for t in health.totals] == [
        ("EUR", 100.0, "green"),
        ("USD", 50.0, "red"),
    ]
    assert health.single_currency_totals is None
    assert health.rag == "red"
    assert any("EUR, USD" in note for note in health.notes)
    assert all("USD" in reason.message for reason in health.reasons)


def test_group_and_roll_up_by_portfolio() -> None:
    items = [
        snapshot("a", "green", portfolio_id="pf-1"),
        snapshot("b", "red", portfolio_id=None),
        snapshot("c", "amber", portfolio_id="pf-1"),
    ]

    groups = group_by_portfolio(items)
    assert {key: [s.project_id for s in group] for key, group in groups.items()} == {
        "pf-1": ["a", "c"],
        None: ["b"],
    }
    by_portfolio = roll_up_by_portfolio(items)
    assert by_portfolio["pf-1"].portfolio_id == "pf-1"
    assert by_portfolio["pf-1"].project_count == 2
    assert by_portfolio[None].rag_counts.red == 1


def test_snapshot_from_assessment_carries_the_figures_to_sum() -> None:
    start = date(2024, 1, 1)
    plan = ProjectBaseline(
        "p-1", "X", start, start + timedelta(100), 1_000.0, portfolio_id="pf-9", currency="CHF"
    )
    status = StatusReport(start + timedelta(50), percent_complete=40, actual_cost=500)
    assessment = assess_health(plan, status, Thresholds(), start + timedelta(50), None)

    item = ProjectHealthSnapshot.from_assessment(plan, assessment)

    assert (item.portfolio_id, item.currency, item.rag) == ("pf-9", "CHF", "red")
    assert (item.ev, item.pv, item.ac, item.bac) == (400.0, 500.0, 500.0, 1_000.0)
    assert item.eac == pytest.approx(1_250.0)
    assert item.has_report
    unreported = assess_health(plan, None, Thresholds(), start, None)
    assert not ProjectHealthSnapshot.from_assessment(plan, unreported).has_report
