"""The heatmap's cells: a colour and its word for each signal of a stored health."""

from __future__ import annotations

from typing import Any

from pmo_monitoring.ui.signal_cells import Cell, shown_signals, signal_cells

METRICS: dict[str, Any] = {"cpi": 0.82, "spi": 0.97, "spi_t": None, "eac": 122_000, "bac": 100_000}


def _reason(code: str, rag: str) -> dict[str, Any]:
    return {"code": code, "message": "why", "rag": rag}


def _reported(*reasons: dict[str, Any]) -> dict[str, Cell]:
    """The cells of a project that reports on time, with these reasons."""
    return signal_cells(METRICS, reasons, reported=True, report_missed=False)


def test_a_reason_colours_its_signal_with_the_word_and_the_figure() -> None:
    cells = _reported(_reason("cpi_below_threshold", "red"), _reason("eac_over_budget", "amber"))
    assert (cells["cpi"].colour, cells["cpi"].word, cells["cpi"].detail) == ("red", "Red", "0.82")
    assert (cells["eac"].colour, cells["eac"].detail) == ("amber", "+22% vs budget")


def test_a_known_figure_without_a_reason_is_green_and_an_unknown_one_is_not_judged() -> None:
    cells = _reported()
    assert (cells["spi"].colour, cells["spi"].word) == ("green", "Green")
    assert (cells["spi_t"].colour, cells["spi_t"].word) == ("none", "n/a")
    assert (cells["milestones"].colour, cells["milestones"].detail) == ("green", "None late")
    assert cells["reporting"].detail == "On time"


def test_a_missed_report_makes_reporting_amber_whatever_was_stored() -> None:
    cells = signal_cells({}, [], reported=False, report_missed=True)
    assert (cells["reporting"].colour, cells["reporting"].detail) == ("amber", "Overdue")
    assert cells["cpi"].colour == "none"


def test_the_worst_of_several_reasons_colours_a_signal() -> None:
    cells = _reported(_reason("trend_warning", "amber"), _reason("optimism_warning", "amber"))
    assert cells["trend"].colour == "amber"
    red = _reported(_reason("milestone_overdue", "amber"), _reason("milestone_overdue", "red"))
    assert red["milestones"].colour == "red"


def test_the_dependencies_column_shows_only_when_a_project_has_one_at_risk() -> None:
    plain = _reported()
    assert "dependencies" not in {s.key for s in shown_signals([plain])}
    at_risk = _reported(_reason("dependency_at_risk", "red"))
    assert "dependencies" in {s.key for s in shown_signals([plain, at_risk])}
