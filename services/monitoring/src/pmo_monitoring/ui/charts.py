"""Line charts over dates, worked out as coordinates for an inline SVG (no script, no library).

A chart is described by what it shows (`LineChart`: series of dated values, shaded zones of
values, dated rules) and drawn by `draw` into plain numbers and labels that a template writes
out as SVG elements. Pure functions: the pages test their own charts, and a reader checks the
geometry without a browser.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Literal

Marker = Literal["circle", "square", "triangle", "none"]

WIDTH = 760
HEIGHT = 320
LEFT, RIGHT, TOP, BOTTOM = 64, 150, 16, 44
"""The plot's margins: y labels on the left, each series' name at its end on the right."""

SINGLE_DAY_PADDING = timedelta(days=15)
"""A chart of one day spreads a month around it, so that its points do not sit on the axes."""


@dataclass(frozen=True, slots=True)
class Series:
    """One line: its values by date, named, with a marker shape so colour is not its only cue."""

    key: str
    label: str
    points: tuple[tuple[date, float], ...]
    marker: Marker = "circle"


@dataclass(frozen=True, slots=True)
class Zone:
    """A shaded horizontal band of values, e.g. where an index is amber."""

    key: str
    label: str
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class DateRule:
    """A vertical line on a date, e.g. the baseline end."""

    key: str
    label: str
    on: date


@dataclass(frozen=True, slots=True)
class LineChart:
    """What a chart shows; `floor` and `ceiling` bound its value axis when given."""

    title: str
    description: str
    series: tuple[Series, ...]
    zones: tuple[Zone, ...] = ()
    rules: tuple[DateRule, ...] = ()
    floor: float | None = None
    ceiling: float | None = None
    minimum_span: float = 0.0


@dataclass(frozen=True, slots=True)
class Tick:
    """A labelled position on an axis (pixels along it)."""

    position: float
    label: str


@dataclass(frozen=True, slots=True)
class DrawnSeries:
    """A series in pixels: the polyline's points, its markers and where its name goes."""

    key: str
    label: str
    marker: Marker
    polyline: str
    markers: tuple[tuple[float, float], ...]
    label_at: tuple[float, float] | None


@dataclass(frozen=True, slots=True)
class DrawnZone:
    """A zone as a rectangle across the plot, with its label inside."""

    key: str
    label: str
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class DrawnRule:
    """A dated rule as a vertical line, its label at the top."""

    key: str
    label: str
    x: float


@dataclass(frozen=True, slots=True)
class DrawnChart:
    """Everything the SVG template writes: sizes, plot box, ticks, zones, rules and series."""

    chart_id: str
    title: str
    description: str
    width: int
    height: int
    left: float
    top: float
    right: float
    bottom: float
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    zones: tuple[DrawnZone, ...]
    rules: tuple[DrawnRule, ...]
    series: tuple[DrawnSeries, ...] = field(default_factory=tuple)


def nice_step(span: float, wanted_ticks: int = 5) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about `wanted_ticks` ticks."""
    if span <= 0:
        return 1.0
    raw = span / wanted_ticks
    power = 10.0 ** math.floor(math.log10(raw))
    for multiple in (1.0, 2.0, 2.5, 5.0, 10.0):
        if raw <= multiple * power:
            return multiple * power
    return 10 * power


def value_range(chart: LineChart) -> tuple[float, float]:
    """The value axis: every point, zone edge inside the bounds, and round ends."""
    values = [value for series in chart.series for _, value in series.points]
    values += [edge for zone in chart.zones for edge in (zone.low, zone.high)]
    low = min(values, default=0.0)
    high = max(values, default=1.0)
    if chart.floor is not None:
        low = max(low, chart.floor)
    if chart.ceiling is not None:
        high = min(high, chart.ceiling)
    if high - low < chart.minimum_span:
        middle = (high + low) / 2
        low, high = middle - chart.minimum_span / 2, middle + chart.minimum_span / 2
    if high <= low:
        high = low + 1.0
    step = nice_step(high - low)
    return math.floor(low / step) * step, math.ceil(high / step) * step


def date_range(chart: LineChart) -> tuple[date, date]:
    """The date axis: from the first to the last point or rule, a month wide at least."""
    days = [day for series in chart.series for day, _ in series.points]
    days += [rule.on for rule in chart.rules]
    if not days:
        today = date.today()
        return today - SINGLE_DAY_PADDING, today + SINGLE_DAY_PADDING
    first, last = min(days), max(days)
    if first == last:
        return first - SINGLE_DAY_PADDING, last + SINGLE_DAY_PADDING
    return first, last


def date_ticks(first: date, last: date) -> list[date]:
    """First days of months for spans of four months or more, else five evenly spaced days."""
    span = (last - first).days
    if span < 120:
        return [first + timedelta(days=round(span * share / 4)) for share in range(5)]
    months = (last.year - first.year) * 12 + last.month - first.month
    every = max(1, math.ceil(months / 6))
    ticks: list[date] = []
    year, month = first.year, first.month + 1
    while True:
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
        tick = date(year, month, 1)
        if tick > last:
            return ticks
        ticks.append(tick)
        month += every


def date_label(day: date, first: date, last: date) -> str:
    """A tick's label: year and month on a long axis, the whole date on a short one."""
    return day.strftime("%Y-%m") if (last - first).days >= 120 else day.isoformat()


def draw(chart: LineChart, *, chart_id: str, value_label: Callable[[float], str]) -> DrawnChart:
    """The chart in pixels of a WIDTH x HEIGHT view box; values outside the axis are clamped."""
    first, last = date_range(chart)
    low, high = value_range(chart)
    left, top, right, bottom = LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM
    span_days = max((last - first).days, 1)

    def x_of(day: date) -> float:
        return round(left + (right - left) * (day - first).days / span_days, 1)

    def y_of(value: float) -> float:
        clamped = min(max(value, low), high)
        return round(bottom - (bottom - top) * (clamped - low) / (high - low), 1)

    step = nice_step(high - low)
    count = round((high - low) / step)
    y_ticks = tuple(
        Tick(y_of(low + i * step), value_label(low + i * step)) for i in range(count + 1)
    )
    x_ticks = tuple(
        Tick(x_of(day), date_label(day, first, last)) for day in date_ticks(first, last)
    )
    zones = tuple(
        DrawnZone(
            zone.key,
            zone.label,
            x=left,
            y=y_of(zone.high),
            width=right - left,
            height=round(y_of(zone.low) - y_of(zone.high), 1),
        )
        for zone in chart.zones
    )
    rules = tuple(DrawnRule(rule.key, rule.label, x_of(rule.on)) for rule in chart.rules)
    return DrawnChart(
        chart_id=chart_id,
        title=chart.title,
        description=chart.description,
        width=WIDTH,
        height=HEIGHT,
        left=left,
        top=top,
        right=right,
        bottom=bottom,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        zones=zones,
        rules=rules,
        series=_labelled([_drawn(series, x_of, y_of) for series in chart.series], right),
    )


def _labelled(drawn: list[DrawnSeries], right: float) -> tuple[DrawnSeries, ...]:
    """Each series' name right of the plot at the height of its last point, none overlapping."""
    ends = [(index, s.label_at) for index, s in enumerate(drawn) if s.label_at is not None]
    heights = spread_labels([end for _, end in ends])
    labelled = list(drawn)
    for (index, _end), height in zip(ends, heights, strict=True):
        labelled[index] = replace(drawn[index], label_at=(right + 8, height))
    return tuple(labelled)


def _drawn(
    series: Series, x_of: Callable[[date], float], y_of: Callable[[float], float]
) -> DrawnSeries:
    points = [(x_of(day), y_of(value)) for day, value in sorted(series.points)]
    return DrawnSeries(
        key=series.key,
        label=series.label,
        marker=series.marker,
        polyline=" ".join(f"{x},{y}" for x, y in points),
        markers=tuple(points) if series.marker != "none" else (),
        label_at=points[-1] if points else None,
    )


def compact_money(amount: float) -> str:
    """An axis label for money: 250k, 1.2M (the full figures are in the table below it)."""
    size = abs(amount)
    if size >= 1_000_000:
        return f"{amount / 1_000_000:.3g}M"
    if size >= 1_000:
        return f"{amount / 1_000:.3g}k"
    return f"{amount:.0f}"


def spread_labels(positions: Sequence[tuple[float, float]], *, gap: float = 14.0) -> list[float]:
    """Label heights for series ends at `positions`, pushed apart so that no two overlap."""
    order = sorted(range(len(positions)), key=lambda i: positions[i][1])
    placed: dict[int, float] = {}
    previous: float | None = None
    for i in order:
        y = positions[i][1]
        if previous is not None and y - previous < gap:
            y = previous + gap
        placed[i] = y
        previous = y
    return [placed[i] for i in range(len(positions))]
