"""Reasons: why a project (or portfolio) is not green, with stable codes and plain words."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from pmo_monitoring.domain.model import Rag, SignalRag
from pmo_monitoring.domain.value_records import value_record

_RAG_RANK: dict[str, int] = {"unknown": 0, "green": 1, "amber": 2, "red": 3}


class ReasonCode(StrEnum):
    """Stable reason codes; consumers (alert routing, dashboards) may match on them."""

    CPI_BELOW_THRESHOLD = "cpi_below_threshold"
    SPI_BELOW_THRESHOLD = "spi_below_threshold"
    SPI_T_BELOW_THRESHOLD = "spi_t_below_threshold"
    EAC_OVER_BUDGET = "eac_over_budget"
    MILESTONE_OVERDUE = "milestone_overdue"
    REPORT_OVERDUE = "report_overdue"
    MANAGER_FLAGGED = "manager_flagged"
    TREND_WARNING = "trend_warning"
    OPTIMISM_WARNING = "optimism_warning"
    DEPENDENCY_AT_RISK = "dependency_at_risk"


ADVISORY_CODES: frozenset[str] = frozenset({ReasonCode.TREND_WARNING, ReasonCode.OPTIMISM_WARNING})
"""Early warnings: always amber, so they can make a project amber but never red."""


@value_record
class Reason:
    """One signal that is not green.

    `metric` names what was measured, `value` its value and `threshold` the limit it crossed:
    the red limit when `rag` is red, the amber one when amber (None where no number applies).
    """

    code: ReasonCode
    message: str
    metric: str
    value: float | None
    threshold: float | None
    rag: SignalRag


def worst_rag(rags: Iterable[Rag], default: Rag) -> Rag:
    """The worst of `rags` (red > amber > green > unknown), or `default` when there are none."""
    worst: Rag | None = None
    for rag in rags:
        if worst is None or _RAG_RANK[rag] > _RAG_RANK[worst]:
            worst = rag
    return default if worst is None else worst


def rag_rank(rag: str) -> int:
    """Order of a RAG for sorting: unknown 0, green 1, amber 2, red 3."""
    return _RAG_RANK[rag]


def most_severe_first(reasons: Iterable[Reason]) -> tuple[Reason, ...]:
    """Reasons with red ones first, otherwise in the order the signals were evaluated."""
    return tuple(sorted(reasons, key=lambda reason: -_RAG_RANK[reason.rag]))
