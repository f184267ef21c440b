"""Reasons from the continuous signals (CPI, EAC, SPI, SPI(t)), with hysteresis when asked.

Shared by a project's assessment and the portfolio roll-up. Without previous colours every
signal is judged by the plain thresholds; with them a colour is kept until the value clears
its threshold by the margin (hysteresis.py), and the reason says so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from pmo_monitoring.domain.earned_value import EarnedValueMetrics
from pmo_monitoring.domain.hysteresis import (
    DEFAULT_MARGINS,
    HysteresisMargins,
    SignalJudgement,
    judge_above,
    judge_below,
)
from pmo_monitoring.domain.model import ProjectBaseline, Thresholds
from pmo_monitoring.domain.reasons import Reason, ReasonCode
from pmo_monitoring.domain.wording import days, money


class PerformanceFigures(Protocol):
    """What CPI, SPI and EAC are judged from: a report's metrics, or a roll-up's sums."""

    @property
    def cpi(self) -> float | None: ...

    @property
    def spi(self) -> float | None: ...

    @property
    def eac(self) -> float | None: ...

    @property
    def bac(self) -> float: ...


@dataclass(frozen=True, slots=True)
class _Index:
    """A performance index that turns amber, then red, as it falls below its thresholds."""

    code: ReasonCode
    metric: str
    limits: Callable[[Thresholds], tuple[float, float]]
    """The (amber, red) thresholds it is judged by."""


_CPI = _Index(ReasonCode.CPI_BELOW_THRESHOLD, "cpi", lambda t: (t.cpi_amber, t.cpi_red))
_SPI = _Index(ReasonCode.SPI_BELOW_THRESHOLD, "spi", lambda t: (t.spi_amber, t.spi_red))
# SPI(t) measures the same schedule performance in time instead of money: SPI's thresholds.
_SPI_T = _Index(ReasonCode.SPI_T_BELOW_THRESHOLD, "spi_t", lambda t: (t.spi_amber, t.spi_red))


@dataclass(frozen=True, slots=True)
class SignalJudge:
    """Judges the continuous signals by `thresholds`, with hysteresis against `previous`.

    `previous` maps reason codes to the colours of the last assessment (hysteresis.signal_rags);
    empty, every signal is judged by the plain thresholds.
    """

    thresholds: Thresholds
    previous: Mapping[str, str] = field(default_factory=dict)
    margins: HysteresisMargins = DEFAULT_MARGINS

    def performance_reasons(self, figures: PerformanceFigures, *, currency: str) -> list[Reason]:
        """Reasons from CPI, SPI and EAC against BAC; shared by projects and portfolio roll-ups."""
        reasons: list[Reason] = []
        cpi, spi, eac = figures.cpi, figures.spi, figures.eac
        if cpi is not None:
            finding = (
                f"Cost performance {cpi:.2f}: each {currency} spent has earned "
                f"{cpi:.2f} {currency} of planned work"
            )
            reasons.extend(self._index_reasons(_CPI, cpi, finding))
        if eac is not None:
            reasons.extend(self._eac_reasons(eac, figures.bac, currency))
        if spi is not None:
            finding = (
                f"Schedule performance {spi:.2f}: the work done is worth {spi:.0%} of "
                "the work planned by now"
            )
            reasons.extend(self._index_reasons(_SPI, spi, finding))
        return reasons

    def earned_schedule_reasons(
        self, baseline: ProjectBaseline, metrics: EarnedValueMetrics
    ) -> list[Reason]:
        """The SPI(t) reason, judged by the SPI thresholds; none when SPI(t) is unknown."""
        spi_t, es = metrics.spi_t, metrics.es
        if spi_t is None or es is None:
            return []
        forecast = ""
        if metrics.forecast_end_date is not None:
            forecast = (
                f"; at this pace it finishes on {metrics.forecast_end_date} "
                f"instead of {baseline.end_date}"
            )
        finding = (
            f"Time-based schedule performance {spi_t:.2f}: after {days(metrics.at)} the "
            f"project has done the work planned for its first {days(round(es))} "
            f"({days(round(metrics.at - es))} behind){forecast}"
        )
        return self._index_reasons(_SPI_T, spi_t, finding)

    def _index_reasons(self, index: _Index, value: float, finding: str) -> list[Reason]:
        """The index's reason when `value` is below its thresholds: `finding`, then the rule."""
        amber, red = index.limits(self.thresholds)
        judged = judge_below(
            value,
            amber=amber,
            red=red,
            previous=self.previous.get(index.code),
            margin=self.margins.index,
        )
        if judged is None:
            return []
        return [
            Reason(
                code=index.code,
                message=f"{finding}; {_below_rule(judged)}.",
                metric=index.metric,
                value=value,
                threshold=judged.limit,
                rag=judged.rag,
            )
        ]

    def _eac_reasons(self, eac: float, bac: float, currency: str) -> list[Reason]:
        thresholds, margins = self.thresholds, self.margins
        judged = judge_above(
            eac,
            amber=bac * thresholds.eac_amber_ratio,
            red=bac * thresholds.eac_red_ratio,
            previous=self.previous.get(ReasonCode.EAC_OVER_BUDGET),
            margin=bac * margins.eac_ratio,
        )
        if judged is None:
            return []
        rag, limit = judged.rag, judged.limit
        ratio = thresholds.eac_red_ratio if rag == "red" else thresholds.eac_amber_ratio
        over = f" is {(eac - bac) / bac:.1%} over" if bac > 0 else " exceeds"
        if judged.held:
            rule = (
                f"still {rag} as at the last assessment, until it falls to {money(limit)} "
                f"{currency} ({ratio - margins.eac_ratio - 1:.0%} over budget)"
            )
        else:
            rule = f"{rag} above {money(limit)} {currency} ({ratio - 1:.0%} over budget)"
        return [
            Reason(
                code=ReasonCode.EAC_OVER_BUDGET,
                message=(
                    f"Forecast cost at completion {money(eac)} {currency}{over} the "
                    f"{money(bac)} {currency} budget at the current cost performance; {rule}."
                ),
                metric="eac",
                value=eac,
                threshold=limit,
                rag=rag,
            )
        ]


def _below_rule(judged: SignalJudgement) -> str:
    if judged.held:
        return f"still {judged.rag} as at the last assessment, until it reaches {judged.limit:.2f}"
    return f"{judged.rag} below {judged.limit:.2f}"
