"""Direction of CPI and SPI(t) over the last reports, by a least-squares line.

The slope is fitted to (days, index) over the last `window` reports and quoted per 30 days.
A slope within the dead band (default +/-0.01 per 30 days) is `stable`: index figures carry
judgement (percent complete is an estimate), and a drift of a hundredth a month would take
five months to cross the 0.05 between amber and red.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from pmo_monitoring.domain.earned_value import EarnedValueMetrics, compute_earned_value
from pmo_monitoring.domain.model import ProjectBaseline, StatusReport

Direction = Literal["improving", "stable", "declining"]
TrendedIndex = Literal["cpi", "spi_t"]

DEFAULT_TREND_WINDOW = 6
DEFAULT_DEAD_BAND = 0.01
SLOPE_PERIOD_DAYS = 30


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """The indices of one report, the input of a trend."""

    as_of: date
    cpi: float | None
    spi_t: float | None

    @classmethod
    def from_metrics(cls, metrics: EarnedValueMetrics) -> TrendPoint:
        """The trend point of a report's metrics."""
        return cls(as_of=metrics.as_of, cpi=metrics.cpi, spi_t=metrics.spi_t)


@dataclass(frozen=True, slots=True)
class IndexTrend:
    """Where one index is heading.

    `direction` and `slope_per_30_days` are None with fewer than two reports that carry the
    index; `latest` is its value in the newest such report, dated `latest_on`.
    """

    metric: TrendedIndex
    direction: Direction | None
    slope_per_30_days: float | None
    latest: float | None
    latest_on: date | None
    points: int

    @property
    def slope_per_day(self) -> float | None:
        """The fitted slope per calendar day."""
        return None if self.slope_per_30_days is None else self.slope_per_30_days / 30


@dataclass(frozen=True, slots=True)
class TrendAnalysis:
    """CPI and SPI(t) trends over the last `window` reports (newest dated `as_of`)."""

    as_of: date | None
    window: int
    reports: int
    dead_band: float
    cpi: IndexTrend
    spi_t: IndexTrend


def least_squares_slope(points: Sequence[tuple[float, float]]) -> float | None:
    """Slope of the least-squares line through (x, y); None when x does not vary."""
    count = len(points)
    if count < 2:
        return None
    mean_x = math.fsum(x for x, _ in points) / count
    mean_y = math.fsum(y for _, y in points) / count
    spread = math.fsum((x - mean_x) ** 2 for x, _ in points)
    if spread == 0:
        return None
    covariance = math.fsum((x - mean_x) * (y - mean_y) for x, y in points)
    slope = covariance / spread
    return slope if math.isfinite(slope) else None


def direction_of(slope_per_30_days: float, dead_band: float = DEFAULT_DEAD_BAND) -> Direction:
    """`improving` above the dead band, `declining` below it, `stable` within (inclusive)."""
    if slope_per_30_days > dead_band:
        return "improving"
    if slope_per_30_days < -dead_band:
        return "declining"
    return "stable"


def index_trend(
    metric: TrendedIndex,
    points: Sequence[tuple[date, float]],
    *,
    dead_band: float = DEFAULT_DEAD_BAND,
) -> IndexTrend:
    """Trend of one index from its (date, value) points, oldest first."""
    if not points:
        return IndexTrend(metric, None, None, None, None, 0)
    origin = points[0][0]
    slope = least_squares_slope([((day - origin).days, value) for day, value in points])
    per_period = None if slope is None else _finite_or_none(slope * SLOPE_PERIOD_DAYS)
    return IndexTrend(
        metric=metric,
        direction=None if per_period is None else direction_of(per_period, dead_band),
        slope_per_30_days=per_period,
        latest=points[-1][1],
        latest_on=points[-1][0],
        points=len(points),
    )


def analyse_trend(
    points: Iterable[TrendPoint],
    *,
    window: int = DEFAULT_TREND_WINDOW,
    dead_band: float = DEFAULT_DEAD_BAND,
) -> TrendAnalysis:
    """CPI and SPI(t) trends over the newest `window` reports.

    Points are ordered by date; of two points on one date the later given wins (a re-filed
    report replaces its day's). Reports whose index is None are skipped for that index.
    """
    by_day: dict[date, TrendPoint] = {}
    for point in points:
        by_day[point.as_of] = point
    recent = [by_day[day] for day in sorted(by_day)][-max(window, 1) :]
    cpi = [(p.as_of, p.cpi) for p in recent if p.cpi is not None and math.isfinite(p.cpi)]
    spi_t = [(p.as_of, p.spi_t) for p in recent if p.spi_t is not None and math.isfinite(p.spi_t)]
    return TrendAnalysis(
        as_of=recent[-1].as_of if recent else None,
        window=window,
        reports=len(recent),
        dead_band=dead_band,
        cpi=index_trend("cpi", cpi, dead_band=dead_band),
        spi_t=index_trend("spi_t", spi_t, dead_band=dead_band),
    )


def trend_points(
    baseline: ProjectBaseline, reports: Iterable[StatusReport]
) -> tuple[TrendPoint, ...]:
    """Trend points of stored reports, recomputed against the current baseline, by date."""
    points = (TrendPoint.from_metrics(compute_earned_value(baseline, r)) for r in reports)
    return tuple(sorted(points, key=lambda point: point.as_of))


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None
