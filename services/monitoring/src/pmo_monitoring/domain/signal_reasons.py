"""Reasons from the continuous signals (CPI, EAC, SPI, SPI(t)), with hysteresis when asked.

Shared by a project's assessment and the portfolio roll-up. Without previous colours every
signal is judged by the plain thresholds; with them a colour is kept until the value clears
its threshold by the margin (hysteresis.py), and the reason says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from pmo_monitoring.domain.earned_value import EarnedValueMetrics
from pmo_monitoring.domain.hysteresis import DEFAULT_MARGINS, Band, HysteresisMargins, Judged
from pmo_monitoring.domain.model import ProjectBaseline, Thresholds
from pmo_monitoring.domain.reasons import Reason, ReasonCode
from pmo_monitoring.domain.value_records import value_record
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


_CPI = _Index(ReasonCode.CPI_BELOW_THRESHOLD, "cpi")
_SPI = _Index(ReasonCode.SPI_BELOW_THRESHOLD, "spi")
_SPI_T = _Index(ReasonCode.SPI_T_BELOW_THRESHOLD, "spi_t")


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
        rules = SignalRules.of(self.thresholds, self.margins, bac=figures.bac)
        return rules.performance_reasons(figures, self.previous, currency=currency)

    def earned_schedule_reasons(
        self, baseline: ProjectBaseline, metrics: EarnedValueMetrics
    ) -> list[Reason]:
        """The SPI(t) reason, judged by the SPI thresholds; none when SPI(t) is unknown."""
        rules = SignalRules.of(self.thresholds, self.margins, bac=metrics.bac)
        return rules.earned_schedule_reasons(baseline, metrics, self.previous)


@value_record
class SignalRules:
    """The bands of CPI, SPI, SPI(t) and EAC for one set of thresholds, margins and budget.

    Worked out once per project (its reports share all three); SignalJudge's judgements,
    with the previous colours given per call.
    """

    thresholds: Thresholds
    margins: HysteresisMargins
    bac: float
    cpi: Band
    spi: Band
    spi_t: Band
    """SPI(t) measures the same schedule performance in time instead of money: SPI's band."""
    eac: Band

    @classmethod
    def of(cls, thresholds: Thresholds, margins: HysteresisMargins, *, bac: float) -> SignalRules:
        """The rules for a budget (BAC) of `bac`, which EAC's limits are multiples of."""
        index = margins.index
        spi = Band.lower_is_worse(thresholds.spi_amber, thresholds.spi_red, index)
        return cls(
            thresholds=thresholds,
            margins=margins,
            bac=bac,
            cpi=Band.lower_is_worse(thresholds.cpi_amber, thresholds.cpi_red, index),
            spi=spi,
            spi_t=spi,
            eac=Band.higher_is_worse(
                bac * thresholds.eac_amber_ratio,
                bac * thresholds.eac_red_ratio,
                bac * margins.eac_ratio,
            ),
        )

    def performance_reasons(
        self, figures: PerformanceFigures, previous: Mapping[str, str], *, currency: str
    ) -> list[Reason]:
        """SignalJudge.performance_reasons with these rules; `figures.bac` must be `bac`."""
        reasons: list[Reason] = []
        cpi, spi, eac = figures.cpi, figures.spi, figures.eac
        # Each signal is judged before its words are written: most signals are green.
        if cpi is not None:
            judged = self.cpi.judge(cpi, previous.get(_CPI.code))
            if judged is not None:
                finding = (
                    f"Cost performance {cpi:.2f}: each {currency} spent has earned "
                    f"{cpi:.2f} {currency} of planned work"
                )
                reasons.append(_index_reason(_CPI, cpi, judged, finding))
        if eac is not None:
            judged = self.eac.judge(eac, previous.get(ReasonCode.EAC_OVER_BUDGET))
            if judged is not None:
                reasons.append(self._eac_reason(eac, judged, currency))
        if spi is not None:
            judged = self.spi.judge(spi, previous.get(_SPI.code))
            if judged is not None:
                finding = (
                    f"Schedule performance {spi:.2f}: the work done is worth {spi:.0%} of "
                    "the work planned by now"
                )
                reasons.append(_index_reason(_SPI, spi, judged, finding))
        return reasons

    def earned_schedule_reasons(
        self, baseline: ProjectBaseline, metrics: EarnedValueMetrics, previous: Mapping[str, str]
    ) -> list[Reason]:
        """SignalJudge.earned_schedule_reasons with these rules."""
        spi_t, es = metrics.spi_t, metrics.es
        if spi_t is None or es is None:
            return []
        judged = self.spi_t.judge(spi_t, previous.get(_SPI_T.code))
        if judged is None:
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
        return [_index_reason(_SPI_T, spi_t, judged, finding)]

    def _eac_reason(self, eac: float, judged: Judged, currency: str) -> Reason:
        thresholds, margins, bac = self.thresholds, self.margins, self.bac
        rag, limit, held = judged
        ratio = thresholds.eac_red_ratio if rag == "red" else thresholds.eac_amber_ratio
        over = f" is {(eac - bac) / bac:.1%} over" if bac > 0 else " exceeds"
        if held:
            rule = (
                f"still {rag} as at the last assessment, until it falls to {money(limit)} "
                f"{currency} ({ratio - margins.eac_ratio - 1:.0%} over budget)"
            )
        else:
            rule = f"{rag} above {money(limit)} {currency} ({ratio - 1:.0%} over budget)"
        return Reason(
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


def _index_reason(index: _Index, value: float, judged: Judged, finding: str) -> Reason:
    """The reason of an index judged amber or red: `finding`, then the rule."""
    rag, limit, held = judged
    if held:
        rule = f"still {rag} as at the last assessment, until it reaches {limit:.2f}"
    else:
        rule = f"{rag} below {limit:.2f}"
    return Reason(
        code=index.code,
        message=f"{finding}; {rule}.",
        metric=index.metric,
        value=value,
        threshold=limit,
        rag=rag,
    )
