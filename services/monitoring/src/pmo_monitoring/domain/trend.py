"""Direction of CPI and SPI(t) over the last reports, by a least-squares line.

The slope is fitted to (days, index) over the last `window` reports and quoted per 30 days.
A slope within the dead band (default +/-0.01 per 30 days) is `stable`: index figures carry
judgement (percent complete is an estimate), and a drift of a hundredth a month would take
five months to cross the 0.05 between amber and red.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date
from functools import lru_cache
from typing import Literal, Protocol

from pmo_monitoring.domain.earned_value import EarnedValueBasis, EarnedValueMetrics
from pmo_monitoring.domain.model import ProjectBaseline, StatusReport
from pmo_monitoring.domain.value_records import value_record

Direction = Literal["improving", "stable", "declining"]
TrendedIndex = Literal["cpi", "spi_t"]

DEFAULT_TREND_WINDOW = 6
DEFAULT_DEAD_BAND = 0.01
SLOPE_PERIOD_DAYS = 30


class Indices(Protocol):
    """A report's date and the indices a trend follows: a TrendPoint, or the metrics themselves."""

    @property
    def as_of(self) -> date: ...

    @property
    def cpi(self) -> float | None: ...

    @property
    def spi_t(self) -> float | None: ...


@value_record
class TrendPoint:
    """The indices of one report, the input of a trend."""

    as_of: date
    cpi: float | None
    spi_t: float | None

    @classmethod
    def from_metrics(cls, metrics: EarnedValueMetrics) -> TrendPoint:
        """The trend point of a report's metrics."""
        return cls(as_of=metrics.as_of, cpi=metrics.cpi, spi_t=metrics.spi_t)


@value_record
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


@value_record
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
    if len(points) < 2:
        return None
    xs = [x for x, _ in points]
    try:
        centred = _centred(xs, math.fsum(xs) / len(xs))
    except (OverflowError, ValueError):
        return None  # x values beyond the float range have no finite slope either
    return _slope(centred, [y for _, y in points])


Centred = tuple[tuple[float, ...], float]
"""x values less their mean, and the sum of their squares (the spread)."""


def _centred(xs: Sequence[float], mean_x: float) -> Centred:
    offsets = tuple([x - mean_x for x in xs])
    return offsets, math.fsum([offset**2 for offset in offsets])


def _slope(centred: Centred, ys: Sequence[float]) -> float | None:
    """The least-squares slope of `ys` over x values already centred (two or more)."""
    offsets, spread = centred
    try:
        mean_y = math.fsum(ys) / len(ys)
        if spread == 0:
            return None
        covariance = math.fsum(
            [offset * (y - mean_y) for offset, y in zip(offsets, ys, strict=False)]
        )
    except (OverflowError, ValueError):
        # Sums beyond the float range (a CPI of 1e300 from a cost of 1e-300): no finite slope,
        # as for any other figure that would not be a finite number.
        return None
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
    days = [day for day, _ in points]
    return _index_trend(
        metric, days, _centred_days(days), [value for _, value in points], dead_band
    )


def _centred_days(days: Sequence[date]) -> Centred | None:
    """Days since the first, centred; None with fewer than two (no slope to fit)."""
    if len(days) < 2:
        return None
    origin = days[0].toordinal()
    return _centred_day_numbers(tuple([day.toordinal() - origin for day in days]))


@lru_cache(maxsize=1024)
def _centred_day_numbers(xs: tuple[int, ...]) -> Centred:
    # Reports come at a cadence, so a window's days since its first repeat from one report to
    # the next and across projects: kept once worked out (a tuple, so shared safely).
    # Whole days sum exactly, so the mean is fsum(xs) / len(xs) to the last bit.
    return _centred(xs, sum(xs) / len(xs))


def _index_trend(
    metric: TrendedIndex,
    days: Sequence[date],
    centred: Centred | None,
    values: Sequence[float],
    dead_band: float,
) -> IndexTrend:
    if not days:
        return IndexTrend(metric, None, None, None, None, 0)
    slope = None if centred is None else _slope(centred, values)
    per_period = None if slope is None else _finite_or_none(slope * SLOPE_PERIOD_DAYS)
    return IndexTrend(
        metric,
        None if per_period is None else direction_of(per_period, dead_band),
        per_period,
        values[-1],
        days[-1],
        len(days),
    )


def analyse_trend(
    points: Iterable[Indices],
    *,
    window: int = DEFAULT_TREND_WINDOW,
    dead_band: float = DEFAULT_DEAD_BAND,
) -> TrendAnalysis:
    """CPI and SPI(t) trends over the newest `window` reports.

    Points are ordered by date; of two points on one date the later given wins (a re-filed
    report replaces its day's). Reports whose index is None are skipped for that index.
    """
    recent = _one_per_day_by_date(points)[-max(window, 1) :]
    cpi_days: list[date] = []
    cpis: list[float] = []
    spi_t_days: list[date] = []
    spi_ts: list[float] = []
    for point in recent:
        cpi, spi_t = point.cpi, point.spi_t
        if cpi is not None and math.isfinite(cpi):
            cpi_days.append(point.as_of)
            cpis.append(cpi)
        if spi_t is not None and math.isfinite(spi_t):
            spi_t_days.append(point.as_of)
            spi_ts.append(spi_t)
    cpi_centred = _centred_days(cpi_days)
    # Both indices are usually known on the same days: their x values are then centred once.
    spi_t_centred = cpi_centred if spi_t_days == cpi_days else _centred_days(spi_t_days)
    return TrendAnalysis(
        as_of=recent[-1].as_of if recent else None,
        window=window,
        reports=len(recent),
        dead_band=dead_band,
        cpi=_index_trend("cpi", cpi_days, cpi_centred, cpis, dead_band),
        spi_t=_index_trend("spi_t", spi_t_days, spi_t_centred, spi_ts, dead_band),
    )


def _one_per_day_by_date(points: Iterable[Indices]) -> list[Indices]:
    """The points by date, the last given of each day; a copy, the caller's list is left as is."""
    given = list(points)
    previous: date | None = None
    for point in given:
        if previous is not None and point.as_of <= previous:
            break
        previous = point.as_of
    else:
        return given  # already one per day in date order, as a history usually is
    by_day: dict[date, Indices] = {}
    for point in given:
        by_day[point.as_of] = point
    return [by_day[day] for day in sorted(by_day)]


def trend_points(
    baseline: ProjectBaseline, reports: Iterable[StatusReport]
) -> tuple[TrendPoint, ...]:
    """Trend points of stored reports, recomputed against the current baseline, by date."""
    basis = EarnedValueBasis.of(baseline)
    points = (TrendPoint.from_metrics(basis.measure(report)) for report in reports)
    return tuple(sorted(points, key=lambda point: point.as_of))


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None
