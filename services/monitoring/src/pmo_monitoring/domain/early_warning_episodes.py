"""Early-warning episodes: which warnings a project's new health starts, and which it ends.

An episode of one metric runs from the first health that shows its early warning (an advisory
reason: a trend forecast for CPI or SPI(t), the optimism check for TCPI) to the first health
that no longer does. Notifications hears of the start and of the end, not of every report in
between, as PagerDuty keeps one incident per dedup key. Each stored health is compared with
the one it replaced: the episodes under way are the warnings the replaced health showed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any, cast

from pmo_monitoring.domain.assessment import HealthAssessment
from pmo_monitoring.domain.early_warning import DAYS_TO_RED, red_threshold
from pmo_monitoring.domain.earned_value import METRIC_DECIMALS
from pmo_monitoring.domain.model import Thresholds
from pmo_monitoring.domain.reasons import ADVISORY_CODES, Reason, ReasonCode
from pmo_monitoring.domain.trend import TrendedIndex
from pmo_monitoring.domain.value_records import value_record


@value_record
class ShownWarning:
    """An early warning a health shows, in the terms `project.early_warning` publishes.

    `metric` is the index warned about (cpi, spi_t or tcpi). For a trend warning `value` is
    the index now, `threshold` the red threshold it is forecast to cross, on
    `forecast_crossing_date`; for the optimism check, TCPI and the limit it exceeds (no date).
    """

    code: str
    metric: str
    message: str
    value: float | None
    threshold: float | None
    forecast_crossing_date: date | None


@value_record
class ActiveWarning:
    """An episode under way: the metric warned about and its warning's code."""

    metric: str
    code: str


@value_record
class EpisodeChanges:
    """The episodes a health starts (warnings not under way) and ends (no longer shown)."""

    started: tuple[ShownWarning, ...]
    ended: tuple[ActiveWarning, ...]


def shown_warnings(
    assessment: HealthAssessment, thresholds: Thresholds
) -> tuple[ShownWarning, ...]:
    """The early warnings among an assessment's reasons, one per metric."""
    shown: dict[str, ShownWarning] = {}
    for reason in assessment.reasons:
        if reason.code not in ADVISORY_CODES:
            continue
        if reason.code == ReasonCode.TREND_WARNING:
            warning = _trend_warning(reason, assessment, thresholds)
        else:  # the optimism check: TCPI and the limit it exceeds
            metric = _warned_metric(reason.metric)
            warning = _shown(reason, metric, reason.value, reason.threshold, None)
        shown.setdefault(warning.metric, warning)
    return tuple(shown.values())


def warnings_in(reasons: Iterable[Mapping[str, Any]]) -> tuple[ActiveWarning, ...]:
    """The early warnings among a stored health's reasons (`reason_record`s): the episodes
    under way while it is the project's health."""
    return tuple(
        ActiveWarning(metric=_warned_metric(str(reason["metric"])), code=str(reason["code"]))
        for reason in reasons
        if reason.get("code") in ADVISORY_CODES
    )


def episode_changes(
    active: Iterable[ActiveWarning], shown: Iterable[ShownWarning]
) -> EpisodeChanges:
    """Which episodes begin and which end when a health showing `shown` follows `active`.

    A metric is one episode whatever its message or figures do meanwhile: a warning still
    shown, however it is worded now, starts nothing.
    """
    under_way = {warning.metric: warning for warning in active}
    showing = {warning.metric: warning for warning in shown}
    return EpisodeChanges(
        started=tuple(w for metric, w in showing.items() if metric not in under_way),
        ended=tuple(w for metric, w in sorted(under_way.items()) if metric not in showing),
    )


def _warned_metric(reason_metric: str) -> str:
    """The index a warning is about: a trend warning counts its days to red (`cpi_days_to_red`),
    the optimism check names TCPI itself."""
    return reason_metric.removesuffix(DAYS_TO_RED)


def _trend_warning(
    reason: Reason, assessment: HealthAssessment, thresholds: Thresholds
) -> ShownWarning:
    # The reason counts the days the index has left; the event names the index, its value
    # now, the red threshold and the day the straight line reaches it.
    metric = cast(TrendedIndex, _warned_metric(reason.metric))
    trend = assessment.trend
    index = None if trend is None else trend.cpi if metric == "cpi" else trend.spi_t
    latest = None if index is None else index.latest
    # The line is extrapolated from the index's newest value; its first day below red.
    start = assessment.as_of if index is None or index.latest_on is None else index.latest_on
    crossing = None
    if reason.value is not None and math.isfinite(reason.value):
        crossing = start + timedelta(days=math.ceil(reason.value))
    return _shown(reason, metric, latest, red_threshold(metric, thresholds), crossing)


def _shown(
    reason: Reason,
    metric: str,
    value: float | None,
    threshold: float | None,
    crossing: date | None,
) -> ShownWarning:
    return ShownWarning(
        code=str(reason.code),
        metric=metric,
        message=reason.message,
        value=None if value is None else round(value, METRIC_DECIMALS),
        threshold=None if threshold is None else round(threshold, METRIC_DECIMALS),
        forecast_crossing_date=crossing,
    )
