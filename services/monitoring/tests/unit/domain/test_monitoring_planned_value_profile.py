"""The planned-value profile: the curve PV and earned schedule read, and its validation."""

import pytest
from pmo_monitoring.domain.earned_value import compute_earned_value
from pmo_monitoring.domain.model import PlannedValuePoint, ProjectBaseline, StatusReport
from pmo_monitoring.domain.planned_value import (
    planned_value_at,
    planned_value_curve,
    profile_knots,
)
from pmo_stack.testkit.day_numbers import START, on


def plan(*points: tuple[int, float], days: int = 100, budget: float = 1_000.0) -> ProjectBaseline:
    return ProjectBaseline(
        "p",
        "X",
        START,
        on(days),
        budget,
        planned_value_profile=tuple(PlannedValuePoint(on(day), pct) for day, pct in points),
    )


def test_interpolates_through_start_points_and_end() -> None:
    # (0, 0 %), (20, 10 %), (60, 70 %), then up to (100, 100 %): day 10 is 5 %, day 40 is
    # 10 + (70 - 10) x 20/40 = 40 %, day 80 is 70 + 30 x 20/40 = 85 %.
    curve = planned_value_curve(plan((20, 10), (60, 70)))

    assert [curve(day) for day in (-5, 0, 10, 20, 40, 60, 80, 100, 130)] == pytest.approx(
        [0, 0, 50, 100, 400, 700, 850, 1_000, 1_000]
    )


def test_a_point_on_the_start_date_replaces_the_zero_corner() -> None:
    # 20 % planned on day 0 (an up-front purchase), a straight line to 100 % after.
    baseline = plan((0, 20))

    assert profile_knots(baseline) == ([0, 100], [20.0, 100.0])
    assert planned_value_at(baseline, on(-1)) == 0
    assert planned_value_at(baseline, on(0)) == pytest.approx(200)
    assert planned_value_at(baseline, on(50)) == pytest.approx(600)


def test_a_point_on_the_end_date_is_used_as_given() -> None:
    baseline = plan((50, 40), (100, 90))

    assert profile_knots(baseline) == ([0, 50, 100], [0.0, 40.0, 90.0])
    assert planned_value_at(baseline, on(100)) == pytest.approx(900)
    assert planned_value_at(baseline, on(150)) == pytest.approx(900)


def test_a_plan_at_100_percent_before_the_end_stays_flat() -> None:
    baseline = plan((80, 100))

    assert planned_value_at(baseline, on(90)) == pytest.approx(1_000)
    assert planned_value_at(baseline, on(40)) == pytest.approx(500)


def test_empty_profile_is_the_straight_line() -> None:
    baseline = plan()

    assert planned_value_at(baseline, on(25)) == pytest.approx(250)
    assert profile_knots(baseline) == ([0, 100], [0.0, 100.0])


def test_spi_and_spi_t_read_the_same_curve() -> None:
    # Back-loaded plan: 20 % by day 50. At day 50 with 20 % done the project is on plan:
    # SPI = 200 / 200 = 1 and ES = 50, although a straight line would say SPI = 0.4.
    metrics = compute_earned_value(
        plan((50, 20)), StatusReport(on(50), percent_complete=20, actual_cost=200)
    )

    assert metrics.pv == pytest.approx(200)
    assert metrics.spi == pytest.approx(1.0)
    assert metrics.es == pytest.approx(50)
    assert metrics.spi_t == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("points", "message"),
    [
        (((120, 50.0),), "outside"),
        (((-1, 5.0),), "outside"),
        (((40, 50.0), (30, 60.0)), "dates must increase"),
        (((30, 50.0), (30, 60.0)), "dates must increase"),
        (((30, 60.0), (40, 50.0)), "must not decrease"),
    ],
)
def test_invalid_profiles_are_refused(points: tuple[tuple[int, float], ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        plan(*points)


@pytest.mark.parametrize("percent", [-1.0, 100.5, float("nan")])
def test_a_point_percent_must_be_within_0_and_100(percent: float) -> None:
    with pytest.raises(ValueError, match=r"0\.\.100"):
        PlannedValuePoint(on(10), percent)


def test_profile_given_as_a_list_becomes_a_tuple() -> None:
    baseline = ProjectBaseline(
        "p",
        "X",
        START,
        on(10),
        1.0,
        planned_value_profile=[PlannedValuePoint(on(5), 50)],  # type: ignore[arg-type]
    )

    assert baseline.planned_value_profile == (PlannedValuePoint(on(5), 50.0),)
