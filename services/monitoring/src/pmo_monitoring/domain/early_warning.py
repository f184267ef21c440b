"""Early warnings: a threshold about to be crossed, and a budget that needs a miracle.

Advisory reasons, always amber: they can make a green project amber, never red, because they
are forecasts, not facts. A trend warning fires while the index is still above red; the
optimism check follows the TCPI threshold of 1.10 (Q. Fleming and J. Koppelman, *Earned
Value Project Management*, 4th ed., 2010; W. Lipke, "Examination of the Threshold for the To
Complete Indexes", *The Measurable News*, 2016).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pmo_monitoring.domain.hysteresis import is_above, is_below
from pmo_monitoring.domain.model import Thresholds
from pmo_monitoring.domain.phrases import Index, Phrase, phrase, plural_phrase
from pmo_monitoring.domain.reasons import Reason, ReasonCode
from pmo_monitoring.domain.trend import (
    DEFAULT_DEAD_BAND,
    DEFAULT_TREND_WINDOW,
    IndexTrend,
    TrendAnalysis,
    TrendedIndex,
)

_LABELS = {"cpi": "CPI", "spi_t": "SPI(t)"}

DAYS_TO_RED = "_days_to_red"
"""The suffix of a trend warning's metric: `cpi_days_to_red` counts the days CPI has left."""


@dataclass(frozen=True, slots=True)
class EarlyWarningSettings:
    """Window and dead band of the trend, how far ahead it warns, and the TCPI limits.

    A trend warning needs a declining index whose straight-line extrapolation falls below the
    red threshold within `horizon_days`. The optimism warning fires when TCPI (to BAC) exceeds
    `tcpi_limit`, or exceeds the CPI achieved so far by more than `tcpi_cpi_gap`.
    """

    window: int = DEFAULT_TREND_WINDOW
    dead_band: float = DEFAULT_DEAD_BAND
    horizon_days: int = 84
    tcpi_limit: float = 1.10
    tcpi_cpi_gap: float = 0.10

    def __post_init__(self) -> None:
        if self.window < 2:
            raise ValueError("a trend window needs at least 2 reports")
        if not (self.dead_band >= 0 and self.horizon_days >= 0 and self.tcpi_cpi_gap >= 0):
            raise ValueError("dead band, horizon and TCPI gap must be >= 0")
        if not self.tcpi_limit > 0:
            raise ValueError("tcpi_limit must be > 0")


DEFAULT_EARLY_WARNING = EarlyWarningSettings()


def days_until_below(latest: float, slope_per_day: float, limit: float) -> float | None:
    """Days until `latest`, moving by `slope_per_day`, falls below `limit`; None if never."""
    if slope_per_day >= 0:
        return None
    days = (latest - limit) / -slope_per_day
    return max(days, 0.0) if math.isfinite(days) else None


def trend_warnings(
    trend: TrendAnalysis,
    thresholds: Thresholds,
    settings: EarlyWarningSettings = DEFAULT_EARLY_WARNING,
) -> list[Reason]:
    """A warning per declining index forecast to fall below red within the horizon."""
    reasons: list[Reason] = []
    for index in (trend.cpi, trend.spi_t):
        if index.direction == "declining":  # the rest are never warned about
            reason = _trend_warning(index, red_threshold(index.metric, thresholds), settings)
            if reason is not None:
                reasons.append(reason)
    return reasons


def red_threshold(metric: TrendedIndex, thresholds: Thresholds) -> float:
    """The red threshold a trend of `metric` is forecast to cross (SPI's for SPI(t))."""
    return thresholds.cpi_red if metric == "cpi" else thresholds.spi_red


def optimism_warning(
    *,
    tcpi: float | None,
    cpi: float | None,
    settings: EarlyWarningSettings = DEFAULT_EARLY_WARNING,
) -> Reason | None:
    """Warn when finishing within budget needs a cost performance rarely achieved.

    Not when TCPI is None or <= 0 (budget already spent, or the work is done): the EAC signal
    covers a spent budget.
    """
    if tcpi is None or tcpi <= 0:
        return None
    limit = settings.tcpi_limit
    if cpi is not None:
        limit = min(limit, cpi + settings.tcpi_cpi_gap)
    if not is_above(tcpi, limit):
        return None
    if cpi is not None and is_above(tcpi, cpi + settings.tcpi_cpi_gap):
        message = phrase(
            "Finishing on budget needs a cost performance of {tcpi} from now on, far above "
            "the {cpi} achieved so far.",
            tcpi=Index(tcpi),
            cpi=Index(cpi),
        )
    else:
        message = phrase(
            "Finishing on budget needs a cost performance of {tcpi} from now on; above "
            "{limit} is rarely sustained, so the budget is unlikely to hold.",
            tcpi=Index(tcpi),
            limit=Index(settings.tcpi_limit),
        )
    return Reason(
        code=ReasonCode.OPTIMISM_WARNING,
        message=message,
        metric="tcpi",
        value=tcpi,
        threshold=limit,
        rag="amber",
    )


def _trend_warning(trend: IndexTrend, red: float, settings: EarlyWarningSettings) -> Reason | None:
    slope = trend.slope_per_day
    latest = trend.latest
    if trend.direction != "declining" or slope is None or latest is None:
        return None
    if is_below(latest, red):
        return None  # already red: the signal itself says so
    days = days_until_below(latest, slope, red)
    if days is None or days > settings.horizon_days:
        return None
    label = _LABELS[trend.metric]
    per_month = -(trend.slope_per_30_days or 0.0)
    return Reason(
        code=ReasonCode.TREND_WARNING,
        message=plural_phrase(
            "At this trend {label} falls below {red} {when}. It is {latest} now and has lost "
            "{per_month} a month over the last report.",
            "At this trend {label} falls below {red} {when}. It is {latest} now and has lost "
            "{per_month} a month over the last {count} reports.",
            trend.points,
            label=label,
            red=Index(red),
            when=_when(days),
            latest=Index(latest),
            per_month=Index(per_month),
        ),
        metric=f"{trend.metric}{DAYS_TO_RED}",
        value=days,
        threshold=float(settings.horizon_days),
        rag="amber",
    )


def _when(days: float) -> Phrase:
    weeks = round(days / 7)
    if weeks < 1:
        return phrase("within a week")
    return plural_phrase("in about {count} week", "in about {count} weeks", weeks)
