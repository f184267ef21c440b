"""Reasons from the continuous signals (CPI, EAC, SPI, SPI(t)), with hysteresis when asked.

Shared by a project's assessment and the portfolio roll-up. Without previous colours every
signal is judged by the plain thresholds; with them a colour is kept until the value clears
its threshold by the margin (hysteresis.py), and the reason says so.
"""

from __future__ import annotations

from collections.abc import Mapping

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


def performance_reasons(
    *,
    cpi: float | None,
    spi: float | None,
    eac: float | None,
    bac: float,
    currency: str,
    thresholds: Thresholds,
    previous: Mapping[str, str] | None = None,
    margins: HysteresisMargins = DEFAULT_MARGINS,
) -> list[Reason]:
    """Reasons from CPI, SPI and EAC against BAC; shared by projects and portfolio roll-ups.

    `previous` maps reason codes to the colours of the last assessment (hysteresis.signal_rags);
    None judges by the plain thresholds.
    """
    before = previous or {}
    reasons: list[Reason] = []
    if cpi is not None and (
        judged := judge_below(
            cpi,
            amber=thresholds.cpi_amber,
            red=thresholds.cpi_red,
            previous=before.get(ReasonCode.CPI_BELOW_THRESHOLD),
            margin=margins.index,
        )
    ):
        reasons.append(
            Reason(
                code=ReasonCode.CPI_BELOW_THRESHOLD,
                message=(
                    f"Cost performance {cpi:.2f}: each {currency} spent has earned "
                    f"{cpi:.2f} {currency} of planned work; {_below_rule(judged)}."
                ),
                metric="cpi",
                value=cpi,
                threshold=judged.limit,
                rag=judged.rag,
            )
        )
    if eac is not None:
        reasons.extend(_eac_reasons(eac, bac, currency, thresholds, before, margins))
    if spi is not None and (
        judged := judge_below(
            spi,
            amber=thresholds.spi_amber,
            red=thresholds.spi_red,
            previous=before.get(ReasonCode.SPI_BELOW_THRESHOLD),
            margin=margins.index,
        )
    ):
        reasons.append(
            Reason(
                code=ReasonCode.SPI_BELOW_THRESHOLD,
                message=(
                    f"Schedule performance {spi:.2f}: the work done is worth {spi:.0%} of "
                    f"the work planned by now; {_below_rule(judged)}."
                ),
                metric="spi",
                value=spi,
                threshold=judged.limit,
                rag=judged.rag,
            )
        )
    return reasons


def earned_schedule_reasons(
    baseline: ProjectBaseline,
    metrics: EarnedValueMetrics,
    thresholds: Thresholds,
    *,
    previous: Mapping[str, str] | None = None,
    margins: HysteresisMargins = DEFAULT_MARGINS,
) -> list[Reason]:
    """The SPI(t) reason, judged by the SPI thresholds; none when SPI(t) is unknown."""
    spi_t, es = metrics.spi_t, metrics.es
    if spi_t is None or es is None:
        return []
    judged = judge_below(
        spi_t,
        amber=thresholds.spi_amber,
        red=thresholds.spi_red,
        previous=(previous or {}).get(ReasonCode.SPI_T_BELOW_THRESHOLD),
        margin=margins.index,
    )
    if judged is None:
        return []
    forecast = ""
    if metrics.forecast_end_date is not None:
        forecast = (
            f"; at this pace it finishes on {metrics.forecast_end_date} "
            f"instead of {baseline.end_date}"
        )
    return [
        Reason(
            code=ReasonCode.SPI_T_BELOW_THRESHOLD,
            message=(
                f"Time-based schedule performance {spi_t:.2f}: after {days(metrics.at)} the "
                f"project has done the work planned for its first {days(round(es))} "
                f"({days(round(metrics.at - es))} behind){forecast}; {_below_rule(judged)}."
            ),
            metric="spi_t",
            value=spi_t,
            threshold=judged.limit,
            rag=judged.rag,
        )
    ]


def _eac_reasons(
    eac: float,
    bac: float,
    currency: str,
    thresholds: Thresholds,
    previous: Mapping[str, str],
    margins: HysteresisMargins,
) -> list[Reason]:
    judged = judge_above(
        eac,
        amber=bac * thresholds.eac_amber_ratio,
        red=bac * thresholds.eac_red_ratio,
        previous=previous.get(ReasonCode.EAC_OVER_BUDGET),
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
