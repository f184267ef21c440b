"""Milestone slippage: lateness as of the report and the forecast slip, worst first named."""

from pmo_monitoring.domain.health_rules import assess_health
from pmo_monitoring.domain.milestone_slippage import milestone_slippage
from pmo_monitoring.domain.model import (
    BaselineMilestone,
    MilestoneStatus,
    ProjectBaseline,
    StatusReport,
    Thresholds,
)
from pmo_stack.testkit.day_numbers import START, on


def plan() -> ProjectBaseline:
    return ProjectBaseline(
        "p",
        "ERP",
        START,
        on(120),
        100_000.0,
        milestones=(
            BaselineMilestone("Test", on(90)),
            BaselineMilestone("Design", on(30)),
            BaselineMilestone("Build", on(60)),
        ),
    )


def test_forecast_slip_before_anything_is_late() -> None:
    # Day 50: Design done; Build forecast for day 75 (15 days after its day-60 due date);
    # Test not mentioned, not due yet.
    report = StatusReport(
        on(50),
        50,
        50_000,
        milestones=(
            MilestoneStatus("design", "done"),
            MilestoneStatus(" Build ", "in_progress", forecast_date=on(75)),
        ),
    )

    slippage = milestone_slippage(plan(), report)

    assert [m.name for m in slippage.milestones] == ["Design", "Build", "Test"]
    design, build, test = slippage.milestones
    assert (design.status, design.done, design.days_late) == ("done", True, 0)
    assert (build.status, build.days_late, build.forecast_slip_days) == ("in_progress", 0, 15)
    assert (test.status, test.forecast_date, test.forecast_slip_days) == (None, None, None)
    assert slippage.late_count == 0
    assert slippage.worst == build
    assert slippage.worst_slip_days == 15


def test_lateness_and_forecast_slip_as_of_the_report() -> None:
    # Day 70: Design not mentioned, 40 days late; Build 10 days late, forecast day 80
    # (20 days of slip). The worst is Design with 40.
    report = StatusReport(
        on(70), 60, 60_000, milestones=(MilestoneStatus("Build", "late", forecast_date=on(80)),)
    )

    slippage = milestone_slippage(plan(), report)

    design, build, _ = slippage.milestones
    assert design.days_late == 40
    assert (build.days_late, build.forecast_slip_days, build.slip_days) == (10, 20, 20)
    assert slippage.late_count == 2
    assert slippage.worst is not None
    assert (slippage.worst.name, slippage.worst_slip_days) == ("Design", 40)


def test_nothing_slips_and_an_early_forecast_is_negative() -> None:
    report = StatusReport(
        on(10), 10, 10_000, milestones=(MilestoneStatus("Design", "planned", on(25)),)
    )

    slippage = milestone_slippage(plan(), report)

    assert slippage.milestones[0].forecast_slip_days == -5
    assert slippage.worst is None
    assert slippage.worst_slip_days == 0


def test_the_assessment_carries_the_slippage() -> None:
    report = StatusReport(on(70), 60, 60_000)

    assessment = assess_health(plan(), report, Thresholds(), on(70), None)

    assert assessment.milestones is not None
    assert assessment.milestones.late_count == 2
    assert assess_health(plan(), None, Thresholds(), on(70), None).milestones is None
