"""The project page's two charts: the S-curve (PV, EV, AC) and the index trend (CPI, SPI, SPI(t)).

Built from the same answers as GET /v1/projects/{id}/health and its history, so the chart
and the API never disagree; each chart also gets a table of its figures on the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from pmo_monitoring.api.schemas import HealthOut, HealthPointOut, ThresholdsOut
from pmo_monitoring.domain.model import ProjectBaseline
from pmo_monitoring.domain.planned_value import (
    planned_duration_days,
    planned_value_curve,
    profile_knots,
)
from pmo_monitoring.domain.records import MonitoredProject
from pmo_monitoring.ui.charts import (
    DateRule,
    DrawnChart,
    LineChart,
    Series,
    Zone,
    compact_money,
    draw,
)
from pmo_monitoring.ui.formatting import day, index, money
from pmo_monitoring.ui.translation import _

INDEX_FLOOR, INDEX_CEILING = 0.0, 2.0
"""Indices are drawn between 0 and 2; a point beyond sits on the edge (the table has it)."""
INDEX_MARGIN = 0.05


def planned_value_line(baseline: ProjectBaseline) -> tuple[tuple[date, float], ...]:
    """The baseline's planned value from start (0) to end (BAC), through its profile's knots."""
    offsets = (
        profile_knots(baseline)[0]
        if baseline.planned_value_profile
        else [0, planned_duration_days(baseline)]
    )
    curve = planned_value_curve(baseline)
    return tuple((baseline.start_date + timedelta(days=o), curve(o)) for o in offsets)


def _dated(points: Sequence[HealthPointOut], name: str) -> tuple[tuple[date, float], ...]:
    return tuple(
        (point.as_of, value) for point in points if (value := getattr(point, name)) is not None
    )


def s_curve(
    project: MonitoredProject, health: HealthOut, points: Sequence[HealthPointOut]
) -> DrawnChart:
    """Planned value over the whole baseline, earned value and actual cost at each report,
    with the baseline end and the forecast end as dated rules."""
    try:
        plan = planned_value_line(project.baseline())
    except ValueError:  # a baseline the rules cannot use has no plan to draw either
        plan = ()
    rules = [DateRule("baseline-end", _("Baseline end"), project.end_date)]
    forecast = health.forecast.forecast_end_date if health.forecast is not None else None
    if forecast is not None:
        rules.append(DateRule("forecast-end", _("Forecast end"), forecast))
    metrics, currency = health.metrics, health.currency
    if metrics.ev is not None:
        description = _(
            "As of {as_of}: earned value {ev}, planned value {pv}, actual cost {ac}; "
            "budget at completion {bac}."
        ).format(
            as_of=day(health.last_report_at),
            ev=money(metrics.ev, currency),
            pv=money(metrics.pv, currency),
            ac=money(metrics.ac, currency),
            bac=money(metrics.bac, currency),
        )
    else:
        description = _("No status report yet: only the planned value is drawn.")
    chart = LineChart(
        title=_("S-curve: planned value, earned value and actual cost ({currency})").format(
            currency=currency
        ),
        description=description,
        series=(
            Series("pv", _("Planned value (PV)"), plan, marker="none"),
            Series("ev", _("Earned value (EV)"), _dated(points, "ev"), marker="circle"),
            Series("ac", _("Actual cost (AC)"), _dated(points, "ac"), marker="square"),
        ),
        rules=tuple(rules),
        floor=0.0,
    )
    return draw(chart, chart_id="s-curve", value_label=compact_money)


def _zones(thresholds: ThresholdsOut, lowest: float) -> tuple[Zone, ...]:
    """Red below the red threshold, amber up to the amber one: one pair when CPI and SPI
    share thresholds (the defaults do), a pair each otherwise."""
    pairs = [("", thresholds.cpi_amber, thresholds.cpi_red)]
    if (thresholds.spi_amber, thresholds.spi_red) != (thresholds.cpi_amber, thresholds.cpi_red):
        pairs = [
            (_("CPI") + " ", thresholds.cpi_amber, thresholds.cpi_red),
            (_("SPI") + " ", thresholds.spi_amber, thresholds.spi_red),
        ]
    zones: list[Zone] = []
    for prefix, amber, red in pairs:
        zones.append(
            Zone("amber", prefix + _("amber below {limit}").format(limit=index(amber)), red, amber)
        )
        zones.append(
            Zone("red", prefix + _("red below {limit}").format(limit=index(red)), lowest, red)
        )
    return tuple(zones)


def index_trend(health: HealthOut, points: Sequence[HealthPointOut]) -> DrawnChart:
    """CPI, SPI and SPI(t) at each report over the amber and red zones of the thresholds."""
    series = (
        Series("cpi", _("CPI"), _dated(points, "cpi"), marker="circle"),
        Series("spi", _("SPI"), _dated(points, "spi"), marker="square"),
        Series("spi_t", _("SPI(t)"), _dated(points, "spi_t"), marker="triangle"),
    )
    values = [value for line in series for _day, value in line.points]
    thresholds = health.thresholds
    lowest = max(
        INDEX_FLOOR,
        min([*values, thresholds.cpi_red, thresholds.spi_red]) - INDEX_MARGIN,
    )
    metrics = health.metrics
    if values:
        description = _("Latest: CPI {cpi}, SPI {spi}, SPI(t) {spi_t}.").format(
            cpi=index(metrics.cpi), spi=index(metrics.spi), spi_t=index(metrics.spi_t)
        )
    else:
        description = _("No status report yet: no index to draw.")
    chart = LineChart(
        title=_("Performance indices over time (1.00 = as planned)"),
        description=description,
        series=series,
        zones=_zones(thresholds, lowest),
        floor=INDEX_FLOOR,
        ceiling=INDEX_CEILING,
        minimum_span=0.3,
    )
    return draw(chart, chart_id="index-trend", value_label=index)
