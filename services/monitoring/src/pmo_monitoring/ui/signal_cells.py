"""The heatmap's cells: each signal of a project's stored health as a colour, a word and a value.

A signal is red or amber when the health has a reason of its code (the reason carries the
signal's own colour), green when its figure is known and no reason names it, and "n/a" when
there is nothing to judge (no report yet, an index that cannot be computed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pmo_monitoring.domain.reasons import ReasonCode, rag_rank
from pmo_monitoring.ui.formatting import index
from pmo_monitoring.ui.translation import _, current_language, gettext_noop

CellColour = Literal["red", "amber", "green", "none"]

DEPENDENCY_AT_RISK = ReasonCode.DEPENDENCY_AT_RISK
"""The reason code of a dependency at risk (the RAID register's dependencies, ADR 0025); its
column shows once a project has one."""


@dataclass(frozen=True, slots=True)
class Signal:
    """A column of the heatmap: its heading, the reason codes that colour it, and the glossary
    entry that explains it."""

    key: str
    heading: str
    codes: frozenset[str]
    metric: str | None = None
    term: str | None = None


SIGNALS: tuple[Signal, ...] = (
    Signal("cpi", gettext_noop("CPI"), frozenset({ReasonCode.CPI_BELOW_THRESHOLD}), "cpi", "cpi"),
    Signal("spi", gettext_noop("SPI"), frozenset({ReasonCode.SPI_BELOW_THRESHOLD}), "spi", "spi"),
    Signal(
        "spi_t",
        gettext_noop("SPI(t)"),
        frozenset({ReasonCode.SPI_T_BELOW_THRESHOLD}),
        "spi_t",
        "spi_t",
    ),
    Signal("eac", gettext_noop("EAC"), frozenset({ReasonCode.EAC_OVER_BUDGET}), "eac", "eac"),
    Signal(
        "milestones",
        gettext_noop("Milestones"),
        frozenset({ReasonCode.MILESTONE_OVERDUE}),
        term=ReasonCode.MILESTONE_OVERDUE,
    ),
    Signal(
        "reporting",
        gettext_noop("Reporting"),
        frozenset({ReasonCode.REPORT_OVERDUE}),
        term=ReasonCode.REPORT_OVERDUE,
    ),
    Signal(
        "dependencies",
        gettext_noop("Dependencies"),
        frozenset({DEPENDENCY_AT_RISK}),
        term=DEPENDENCY_AT_RISK,
    ),
    Signal(
        "manager",
        gettext_noop("Manager's view"),
        frozenset({ReasonCode.MANAGER_FLAGGED}),
        term=ReasonCode.MANAGER_FLAGGED,
    ),
    Signal(
        "trend",
        gettext_noop("Trend"),
        frozenset({ReasonCode.TREND_WARNING, ReasonCode.OPTIMISM_WARNING}),
        term=ReasonCode.TREND_WARNING,
    ),
)


@dataclass(frozen=True, slots=True)
class Cell:
    """One signal of one project: its colour, the colour in words, and a figure or a note."""

    colour: CellColour
    word: str
    detail: str


def _word(colour: CellColour) -> str:
    words = {"red": _("Red"), "amber": _("Amber"), "green": _("Green"), "none": _("n/a")}
    return words[colour]


def _cell(colour: CellColour, detail: str = "") -> Cell:
    return Cell(colour, _word(colour), detail)


def _worst(reasons: Iterable[Mapping[str, Any]]) -> CellColour | None:
    colours = [str(reason["rag"]) for reason in reasons]
    if not colours:
        return None
    worst = max(colours, key=rag_rank)
    return "red" if worst == "red" else "amber"


def _eac_detail(metrics: Mapping[str, Any]) -> str:
    eac, bac = metrics.get("eac"), metrics.get("bac")
    if eac is None or not bac:
        return ""
    change = current_language().figures.percent(eac / bac - 1, 0, True)
    return _("{change} vs budget").format(change=change)


def signal_cells(
    metrics: Mapping[str, Any],
    reasons: Iterable[Mapping[str, Any]],
    *,
    reported: bool,
    report_missed: bool,
) -> dict[str, Cell]:
    """Each signal's cell from a stored health's metrics and reasons.

    `reported`: the project has a status report; `report_missed`: it has missed one as of
    today (the roll-up's rule), which makes reporting amber whatever was stored.
    """
    reasons = list(reasons)
    cells: dict[str, Cell] = {}
    for signal in SIGNALS:
        worst = _worst(reason for reason in reasons if reason["code"] in signal.codes)
        if signal.key == "reporting" and report_missed:
            worst = "red" if worst == "red" else "amber"
        cells[signal.key] = _signal_cell(signal, worst, metrics, reported=reported)
    return cells


def _signal_cell(
    signal: Signal, worst: CellColour | None, metrics: Mapping[str, Any], *, reported: bool
) -> Cell:
    if signal.key == "eac":
        detail = _eac_detail(metrics)
    elif signal.metric is not None:
        value = metrics.get(signal.metric)
        detail = index(value) if value is not None else ""
    else:
        detail = ""
    if worst is not None:
        if signal.key == "reporting":
            detail = _("Overdue")
        return _cell(worst, detail)
    if signal.key == "reporting":
        return _cell("green", _("On time")) if reported else _cell("none", _("Not due yet"))
    if not reported or signal.key in ("dependencies", "manager", "trend"):
        # Nothing to judge yet, or a signal that only speaks when something is wrong.
        return _cell("none", _("No report") if not reported else _("None raised"))
    if signal.metric is not None and metrics.get(signal.metric) is None:
        return _cell("none", _("Not computable"))
    return _cell("green", detail or _("None late"))


def shown_signals(rows: Iterable[Mapping[str, Cell]]) -> tuple[Signal, ...]:
    """The columns to show: every signal, dependencies only when a project has one at risk."""
    has_dependencies = any(row["dependencies"].colour != "none" for row in rows)
    return tuple(signal for signal in SIGNALS if signal.key != "dependencies" or has_dependencies)
