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
from pmo_monitoring.domain.phrases import Day, Index, Money, Percent, Phrase, phrase
from pmo_monitoring.domain.reasons import Reason, ReasonCode
from pmo_monitoring.domain.value_records import value_record
from pmo_monitoring.domain.wording import days


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
                finding = phrase(
                    "Cost performance {cpi}: each {currency} spent has earned {cpi} "
                    "{currency} of planned work",
                    cpi=Index(cpi),
                    currency=currency,
                )
                reasons.append(_index_reason(_CPI, cpi, judged, finding))
        if eac is not None:
            judged = self.eac.judge(eac, previous.get(ReasonCode.EAC_OVER_BUDGET))
            if judged is not None:
                reasons.append(self._eac_reason(eac, judged, currency))
        if spi is not None:
            judged = self.spi.judge(spi, previous.get(_SPI.code))
            if judged is not None:
                finding = phrase(
                    "Schedule performance {spi}: the work done is worth {share} of the work "
                    "planned by now",
                    spi=Index(spi),
                    share=Percent(spi),
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
        forecast: str = ""
        if metrics.forecast_end_date is not None:
            forecast = phrase(
                "; at this pace it finishes on {forecast} instead of {planned_end}",
                forecast=Day(metrics.forecast_end_date),
                planned_end=Day(baseline.end_date),
            )
        finding = phrase(
            "Time-based schedule performance {spi_t}: after {elapsed} the project has done "
            "the work planned for its first {earned} ({behind} behind){forecast}",
            spi_t=Index(spi_t),
            elapsed=days(metrics.at),
            earned=days(round(es)),
            behind=days(round(metrics.at - es)),
            forecast=forecast,
        )
        return [_index_reason(_SPI_T, spi_t, judged, finding)]

    def _eac_reason(self, eac: float, judged: Judged, currency: str) -> Reason:
        thresholds, margins, bac = self.thresholds, self.margins, self.bac
        rag, limit, held = judged
        ratio = thresholds.eac_red_ratio if rag == "red" else thresholds.eac_amber_ratio
        if held:
            over_limit = Percent(ratio - margins.eac_ratio - 1)
            if rag == "red":
                rule = phrase(
                    "still red as at the last assessment, until it falls to {limit} "
                    "({over} over budget)",
                    limit=Money(limit, currency),
                    over=over_limit,
                )
            else:
                rule = phrase(
                    "still amber as at the last assessment, until it falls to {limit} "
                    "({over} over budget)",
                    limit=Money(limit, currency),
                    over=over_limit,
                )
        elif rag == "red":
            rule = phrase(
                "red above {limit} ({over} over budget)",
                limit=Money(limit, currency),
                over=Percent(ratio - 1),
            )
        else:
            rule = phrase(
                "amber above {limit} ({over} over budget)",
                limit=Money(limit, currency),
                over=Percent(ratio - 1),
            )
        if bac > 0:
            message = phrase(
                "Forecast cost at completion {eac} is {over} over the {bac} budget at the "
                "current cost performance; {rule}.",
                eac=Money(eac, currency),
                over=Percent((eac - bac) / bac, 1),
                bac=Money(bac, currency),
                rule=rule,
            )
        else:
            message = phrase(
                "Forecast cost at completion {eac} exceeds the {bac} budget at the current "
                "cost performance; {rule}.",
                eac=Money(eac, currency),
                bac=Money(bac, currency),
                rule=rule,
            )
        return Reason(
            code=ReasonCode.EAC_OVER_BUDGET,
            message=message,
            metric="eac",
            value=eac,
            threshold=limit,
            rag=rag,
        )


def _index_rule(rag: str, limit: float, *, held: bool) -> Phrase:
    """Why an index has its colour: the limit it is below, or the one it must reach again."""
    if held and rag == "red":
        return phrase(
            "still red as at the last assessment, until it reaches {limit}", limit=Index(limit)
        )
    if held:
        return phrase(
            "still amber as at the last assessment, until it reaches {limit}", limit=Index(limit)
        )
    if rag == "red":
        return phrase("red below {limit}", limit=Index(limit))
    return phrase("amber below {limit}", limit=Index(limit))


def _index_reason(index: _Index, value: float, judged: Judged, finding: Phrase) -> Reason:
    """The reason of an index judged amber or red: `finding`, then the rule."""
    rag, limit, held = judged
    return Reason(
        code=index.code,
        message=phrase(
            "{finding}; {rule}.", finding=finding, rule=_index_rule(rag, limit, held=held)
        ),
        metric=index.metric,
        value=value,
        threshold=limit,
        rag=rag,
    )
