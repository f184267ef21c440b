"""A portfolio's week in figures for the weekly digest: colours counted, money summed, the indices
computed from the sums, and the reasons that keep projects amber or red.

As monitoring's portfolio roll-up (and the EVM standard) does: EV, PV, AC, BAC and EAC are
summed over the projects whose EV, PV, AC and BAC are known (an unknown EAC counts at BAC), and
CPI = EV/AC, SPI = EV/PV come from the sums, never from averaged indices or colours.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pmo_notifications.domain.project_projection import ProjectRecord

UNKNOWN = "unknown"
COLOURS = ("red", "amber", "green", UNKNOWN)
# How many reason codes "top reasons" lists.
TOP_REASONS = 5
_REQUIRED = ("ev", "pv", "ac", "bac")


def colour_of(project: ProjectRecord) -> str:
    """The project's colour; `unknown` before monitoring told any."""
    return project.rag if project.rag in COLOURS else UNKNOWN


@dataclass(frozen=True, slots=True)
class ReasonCount:
    """A reason code and how many amber or red projects have it."""

    code: str
    count: int


@dataclass(frozen=True, slots=True)
class Figures:
    """The summed earned-value figures of the projects that have them, and the indices."""

    projects_with_figures: int
    ev: float
    pv: float
    ac: float
    bac: float
    eac: float
    cpi: float | None
    spi: float | None
    # The currency every summed project reports in; None when unknown or mixed (a plain sum).
    currency: str | None = None


def colour_counts(projects: Iterable[ProjectRecord]) -> dict[str, int]:
    """How many projects are in each colour (every colour present, worst first)."""
    counted = Counter(colour_of(project) for project in projects)
    return {colour: counted.get(colour, 0) for colour in COLOURS}


def summed_figures(projects: Iterable[ProjectRecord]) -> Figures:
    """The sums over the projects with EV, PV, AC and BAC known, and CPI and SPI from them."""
    figured = [(_numbers(project.metrics), project.currency) for project in projects]
    summed = [(numbers, currency) for numbers, currency in figured if _summable(numbers)]
    summable = [numbers for numbers, _ in summed]
    currencies = {currency for _, currency in summed}
    ev, pv, ac, bac = (sum(numbers[name] for numbers in summable) for name in _REQUIRED)
    eac = sum(numbers.get("eac", numbers["bac"]) for numbers in summable)
    return Figures(
        projects_with_figures=len(summable),
        ev=ev,
        pv=pv,
        ac=ac,
        bac=bac,
        eac=eac,
        cpi=_ratio(ev, ac),
        spi=_ratio(ev, pv),
        currency=currencies.pop() if len(currencies) == 1 else None,
    )


def top_reasons(projects: Sequence[ProjectRecord], limit: int = TOP_REASONS) -> list[ReasonCount]:
    """The reason codes most amber and red projects have, most frequent first (a code counts
    once per project; ties by code)."""
    counted: Counter[str] = Counter()
    for project in projects:
        if colour_of(project) in ("amber", "red"):
            counted.update({reason.code for reason in project.reasons})
    ranked = sorted(counted.items(), key=lambda item: (-item[1], item[0]))
    return [ReasonCount(code, count) for code, count in ranked[:limit]]


def _summable(numbers: Mapping[str, float]) -> bool:
    return all(name in numbers for name in _REQUIRED)


def _numbers(metrics: Mapping[str, Any] | None) -> dict[str, float]:
    # The summed figures that are numbers (a metric is null where it cannot be computed).
    if not metrics:
        return {}
    return {
        name: float(value)
        for name in (*_REQUIRED, "eac")
        if isinstance(value := metrics.get(name), int | float) and not isinstance(value, bool)
    }


def _ratio(numerator: float, denominator: float) -> float | None:
    # None where the ratio is undefined (nothing spent or planned) or too large to write down.
    ratio = numerator / denominator if denominator else None
    return ratio if ratio is not None and math.isfinite(ratio) else None
