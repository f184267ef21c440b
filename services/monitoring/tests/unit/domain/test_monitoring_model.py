"""Inputs check their invariants; thresholds take a methodology's overrides."""

from datetime import date

import pytest
from pmo_monitoring.domain.model import (
    MilestoneStatus,
    ProjectBaseline,
    Risk,
    StatusReport,
    Thresholds,
)


def test_default_thresholds_are_the_architecture_table() -> None:
    defaults = Thresholds()

    assert (defaults.cpi_amber, defaults.cpi_red) == (0.95, 0.90)
    assert (defaults.spi_amber, defaults.spi_red) == (0.95, 0.90)
    assert (defaults.eac_amber_ratio, defaults.eac_red_ratio) == (1.05, 1.10)
    assert defaults.milestone_red_days_late == 14
    assert (defaults.report_cadence_days, defaults.report_grace_days) == (14, 3)


def test_overrides_replace_known_keys_and_ignore_unknown_and_null_ones() -> None:
    thresholds = Thresholds.from_overrides(
        {"cpi_amber": 0.97, "report_cadence_days": 7.0, "spi_red": None, "velocity_min": 20}
    )

    assert thresholds.cpi_amber == 0.97
    assert thresholds.report_cadence_days == 7
    assert isinstance(thresholds.report_cadence_days, int)
    assert thresholds.spi_red == 0.90
    assert Thresholds.from_overrides(None) == Thresholds()


def test_overrides_apply_on_top_of_a_given_base() -> None:
    base = Thresholds(report_cadence_days=30)

    assert Thresholds.from_overrides({"cpi_red": 0.8}, base=base).report_cadence_days == 30


@pytest.mark.parametrize(
    "overrides",
    [
        {"cpi_amber": "high"},
        {"cpi_amber": True},
        {"cpi_amber": float("nan")},
        {"report_grace_days": 2.5},
        {"cpi_red": 0.99},  # red above amber
        {"eac_red_ratio": 1.01},  # red ratio below amber ratio
        {"report_cadence_days": 0},
    ],
)
def test_invalid_overrides_are_refused(overrides: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Thresholds.from_overrides(overrides)


def test_baseline_refuses_end_before_start_and_negative_budget() -> None:
    with pytest.raises(ValueError, match="before start_date"):
        ProjectBaseline("p", "X", date(2024, 2, 1), date(2024, 1, 1), 10.0)
    with pytest.raises(ValueError, match="budget"):
        ProjectBaseline("p", "X", date(2024, 1, 1), date(2024, 2, 1), -1.0)


@pytest.mark.parametrize(
    ("percent", "cost"), [(-1, 0), (100.5, 0), (float("nan"), 0), (50, -5), (50, float("inf"))]
)
def test_report_refuses_impossible_figures(percent: float, cost: float) -> None:
    with pytest.raises(ValueError):
        StatusReport(as_of=date(2024, 1, 1), percent_complete=percent, actual_cost=cost)


def test_report_refuses_unknown_manager_rag() -> None:
    with pytest.raises(ValueError, match="manager_rag"):
        StatusReport(date(2024, 1, 1), 10, 10, manager_rag="purple")  # type: ignore[arg-type]


def test_risk_bounds() -> None:
    with pytest.raises(ValueError):
        Risk("Supplier", probability=1.2, impact=3)
    with pytest.raises(ValueError):
        Risk("Supplier", probability=0.2, impact=6)


def test_sequences_become_tuples_and_numbers_floats() -> None:
    status = StatusReport(
        date(2024, 1, 1),
        10,
        10,
        milestones=[MilestoneStatus("A", "done")],  # type: ignore[arg-type]
    )

    assert status.milestones == (MilestoneStatus("A", "done"),)
    assert isinstance(status.actual_cost, float)


@pytest.mark.parametrize(("status", "done"), [("done", True), (" DONE ", True), ("late", False)])
def test_only_done_counts_as_delivered(status: str, done: bool) -> None:
    assert MilestoneStatus("A", status).is_done is done
