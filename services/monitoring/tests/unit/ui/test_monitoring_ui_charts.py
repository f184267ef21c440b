"""The chart geometry of the web view: axes with round ticks, points inside the plot, labels
that do not overlap."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

from pmo_monitoring.ui.charts import (
    BOTTOM,
    HEIGHT,
    LEFT,
    RIGHT,
    TOP,
    WIDTH,
    DateRule,
    LineChart,
    Series,
    Zone,
    compact_money,
    date_ticks,
    draw,
    nice_step,
    spread_labels,
    value_range,
)

START = date(2025, 1, 1)


def _points(*values: float) -> tuple[tuple[date, float], ...]:
    return tuple((START + timedelta(days=14 * i), value) for i, value in enumerate(values))


def test_steps_are_round_numbers() -> None:
    assert nice_step(100_000) == 20_000
    assert nice_step(0.3) == 0.1
    assert nice_step(7) == 2
    assert nice_step(0) == 1.0


def test_the_value_axis_covers_points_and_zones_with_round_ends() -> None:
    chart = LineChart(
        "t",
        "d",
        (Series("cpi", "CPI", _points(0.82, 1.04)),),
        zones=(Zone("red", "red", 0.7, 0.9),),
    )
    low, high = value_range(chart)
    assert low <= 0.7 and high >= 1.04
    assert round(low / nice_step(high - low), 9).is_integer()


def test_a_ceiling_clamps_outliers_to_the_edge_of_the_plot() -> None:
    chart = LineChart("t", "d", (Series("cpi", "CPI", _points(1.0, 9.0)),), ceiling=2.0)
    drawn = draw(chart, chart_id="c", value_label=str)
    ys = [y for _, y in drawn.series[0].markers]
    assert min(ys) >= TOP
    assert value_range(chart)[1] == 2.0


def test_every_point_lies_inside_the_plot() -> None:
    chart = LineChart(
        "t",
        "d",
        (Series("ev", "EV", _points(0, 10_000, 25_000, 40_000)),),
        rules=(DateRule("end", "Baseline end", START + timedelta(days=200)),),
        floor=0.0,
    )
    drawn = draw(chart, chart_id="c", value_label=compact_money)
    for x, y in drawn.series[0].markers:
        assert LEFT <= x <= WIDTH - RIGHT
        assert TOP <= y <= HEIGHT - BOTTOM
    assert drawn.rules[0].x == WIDTH - RIGHT  # the rule is the last date on the axis
    assert drawn.y_ticks[0].label == "0"
    assert drawn.series[0].polyline.count(",") == 4


def test_one_report_still_gets_a_month_wide_axis() -> None:
    chart = LineChart("t", "d", (Series("cpi", "CPI", _points(1.0)),))
    drawn = draw(chart, chart_id="c", value_label=str)
    ((x, _y),) = drawn.series[0].markers
    assert LEFT < x < WIDTH - RIGHT


def test_long_axes_tick_on_first_days_of_months() -> None:
    ticks = date_ticks(date(2025, 1, 15), date(2025, 12, 20))
    assert all(tick.day == 1 for tick in ticks)
    assert 4 <= len(ticks) <= 12


def test_series_names_never_overlap() -> None:
    heights = spread_labels([(600, 100.0), (600, 104.0), (600, 101.0)], gap=14)
    ordered = sorted(heights)
    assert all(b - a >= 14 for a, b in pairwise(ordered))


def test_money_axis_labels_are_compact() -> None:
    assert compact_money(250_000) == "250k"
    assert compact_money(1_200_000) == "1.2M"
    assert compact_money(0) == "0"
