"""Health rules: each signal at and beyond its thresholds, and how reasons read."""

from datetime import date, timedelta

import pytest
from pmo_monitoring.domain.health_rules import HealthAssessment, assess_health
from pmo_monitoring.domain.model import (
    BaselineMilestone,
    ManagerRag,
    MilestoneStatus,
    ProjectBaseline,
    StatusReport,
    Thresholds,
)
from pmo_monitoring.domain.reasons import ReasonCode

START = date(2024, 1, 1)
DEFAULTS = Thresholds()


def baseline(
    *, milestones: tuple[BaselineMilestone, ...] = (), currency: str = "EUR"
) -> ProjectBaseline:
    return ProjectBaseline(
        project_id="p-1",
        name="Warehouse system",
        start_date=START,
        end_date=START + timedelta(days=100),
        budget=100_000.0,
        milestones=milestones,
        manager="pm@example.com",
        currency=currency,
    )


def on_day(day: int) -> date:
    return START + timedelta(days=day)


def report(
    *,
    day: int = 50,
    percent: float = 50,
    cost: float = 50_000,
    milestones: tuple[MilestoneStatus, ...] = (),
    manager_rag: ManagerRag | None = None,
    summary: str | None = None,
) -> StatusReport:
    return StatusReport(
        as_of=on_day(day),
        percent_complete=percent,
        actual_cost=cost,
        milestones=milestones,
        manager_rag=manager_rag,
        summary=summary,
    )


def assess(
    status: StatusReport | None, *, plan: ProjectBaseline | None = None, today: int = 50
) -> HealthAssessment:
    return assess_health(plan or baseline(), status, DEFAULTS, on_day(today), None)


def codes(assessment: HealthAssessment) -> list[ReasonCode]:
    return [reason.code for reason in assessment.reasons]


def test_on_plan_and_on_budget_is_green_without_reasons() -> None:
    assessment = assess(report())

    assert assessment.rag == "green"
    assert assessment.reasons == ()
    assert assessment.at_risk is False
    assert assessment.as_of == on_day(50)


def test_textbook_overrun_is_red_with_cost_and_schedule_reasons_in_euros() -> None:
    # Day 50 of 100, 40 % done (EV 40k, PV 50k), AC 45k: CPI 0.889, SPI 0.8, EAC 112,500.
    assessment = assess(report(percent=40, cost=45_000))

    assert assessment.rag == "red"
    assert assessment.at_risk is True
    assert set(codes(assessment)) == {
        ReasonCode.CPI_BELOW_THRESHOLD,
        ReasonCode.EAC_OVER_BUDGET,
        ReasonCode.SPI_BELOW_THRESHOLD,
        ReasonCode.SPI_T_BELOW_THRESHOLD,
    }
    cpi = next(r for r in assessment.reasons if r.code is ReasonCode.CPI_BELOW_THRESHOLD)
    assert cpi.message == (
        "Cost performance 0.89: each EUR spent has earned 0.89 EUR of planned work; red below 0.90."
    )
    assert (cpi.metric, cpi.threshold, cpi.rag) == ("cpi", 0.90, "red")
    eac = next(r for r in assessment.reasons if r.code is ReasonCode.EAC_OVER_BUDGET)
    assert eac.value == pytest.approx(112_500)
    assert eac.threshold == pytest.approx(110_000)
    assert "112,500 EUR is 12.5% over the 100,000 EUR budget" in eac.message


def test_amber_cpi_reports_the_amber_threshold_and_project_currency() -> None:
    # EV 50k / AC 54k = 0.926: amber (below 0.95), not red (not below 0.90).
    assessment = assess(report(cost=54_000), plan=baseline(currency="USD"))

    cpi = next(r for r in assessment.reasons if r.code is ReasonCode.CPI_BELOW_THRESHOLD)
    assert (cpi.rag, cpi.threshold) == ("amber", 0.95)
    assert "each USD spent" in cpi.message
    assert assessment.rag == "amber"


def test_cpi_exactly_on_the_amber_threshold_does_not_cross_it() -> None:
    # EV 47,500 / AC 50,000 = 0.95 exactly: not below 0.95. EAC = 100,000 / 0.95 = 105,263
    # is above 1.05 x BAC = 105,000 though, so the project is amber for its forecast only.
    assessment = assess(report(day=47, percent=47.5, cost=50_000))

    assert codes(assessment) == [ReasonCode.EAC_OVER_BUDGET]
    assert assessment.rag == "amber"


@pytest.mark.parametrize(
    ("cost", "expected"),
    [(104_999, None), (105_000, None), (107_000, "amber"), (110_000, "amber"), (111_000, "red")],
)
def test_eac_against_budget_bands(cost: float, expected: str | None) -> None:
    # 100 % done so EV = BAC and EAC = BAC / (BAC / AC) = AC: the bands read directly.
    assessment = assess(report(day=100, percent=100, cost=cost), today=100)

    eac = [r for r in assessment.reasons if r.code is ReasonCode.EAC_OVER_BUDGET]
    assert [r.rag for r in eac] == ([] if expected is None else [expected])


@pytest.mark.parametrize(
    ("percent", "expected"),
    [(50, None), (47.5, None), (47, "amber"), (45, "amber"), (44, "red")],
)
def test_spi_bands_at_the_midpoint(percent: float, expected: str | None) -> None:
    # PV = 50k on day 50, so SPI = percent / 50: 0.95 exactly is on the amber line (green),
    # 0.90 exactly is on the red line (amber), 0.88 is red. Cost = EV keeps CPI at 1.
    assessment = assess(report(percent=percent, cost=100_000 * percent / 100))

    spi = [r.rag for r in assessment.reasons if r.code is ReasonCode.SPI_BELOW_THRESHOLD]
    assert spi == ([] if expected is None else [expected])


def test_spi_t_reason_explains_days_behind_and_forecast_end() -> None:
    # Day 50, 40 % done: ES = 40 days, SPI(t) = 0.8, forecast end = day 125.
    assessment = assess(report(percent=40, cost=40_000))

    spi_t = next(r for r in assessment.reasons if r.code is ReasonCode.SPI_T_BELOW_THRESHOLD)
    assert spi_t.value == pytest.approx(0.8)
    assert spi_t.rag == "red"
    assert "first 40 days (10 days behind)" in spi_t.message
    assert f"finishes on {on_day(125)} instead of {on_day(100)}" in spi_t.message


def test_milestone_past_due_is_amber_then_red_after_fourteen_days() -> None:
    plan = baseline(
        milestones=(
            BaselineMilestone("Design approved", on_day(45)),
            BaselineMilestone("Pilot live", on_day(30)),
            BaselineMilestone("Go-live", on_day(90)),
        )
    )
    assessment = assess(report(), plan=plan)

    late = [r for r in assessment.reasons if r.code is ReasonCode.MILESTONE_OVERDUE]
    assert [(r.value, r.rag, r.threshold) for r in late] == [(20, "red", 14), (5, "amber", 0)]
    assert late[0].message.startswith('Milestone "Pilot live" was due on 2024-01-31 and is')
    assert assessment.rag == "red"


def test_milestone_exactly_fourteen_days_late_is_still_amber() -> None:
    plan = baseline(milestones=(BaselineMilestone("Design approved", on_day(36)),))
    late = assess(report(), plan=plan).reasons

    assert [(r.code, r.rag) for r in late] == [(ReasonCode.MILESTONE_OVERDUE, "amber")]


def test_milestone_due_on_the_report_date_is_not_late() -> None:
    plan = baseline(milestones=(BaselineMilestone("Design approved", on_day(50)),))

    assert assess(report(), plan=plan).rag == "green"


def test_milestone_reported_done_by_name_in_any_case_is_not_flagged() -> None:
    plan = baseline(milestones=(BaselineMilestone("Design approved", on_day(10)),))
    status = report(milestones=(MilestoneStatus(" design APPROVED ", "Done"),))

    assert assess(status, plan=plan).rag == "green"


def test_milestone_reported_late_with_forecast_mentions_the_forecast() -> None:
    plan = baseline(milestones=(BaselineMilestone("Design approved", on_day(45)),))
    status = report(milestones=(MilestoneStatus("Design approved", "late", on_day(60)),))

    (reason,) = assess(status, plan=plan).reasons
    assert f"now forecast for {on_day(60)}" in reason.message


def test_manager_flag_carries_the_summary() -> None:
    assessment = assess(report(manager_rag="red", summary="Key supplier went bankrupt"))

    (reason,) = assessment.reasons
    assert reason.code is ReasonCode.MANAGER_FLAGGED
    assert reason.rag == "red"
    assert reason.message == (
        'The project manager rates the project red: "Key supplier went bankrupt".'
    )
    assert assessment.rag == "red"


def test_manager_green_adds_no_reason() -> None:
    assert assess(report(manager_rag="green")).reasons == ()


def test_overdue_report_turns_an_on_plan_project_amber() -> None:
    # Last report day 50, cadence 14 + grace 3: day 67 is on time, day 68 overdue.
    assert assess(report(), today=67).rag == "green"
    assessment = assess(report(), today=68)

    (reason,) = assessment.reasons
    assert (reason.code, reason.rag, reason.value, reason.threshold) == (
        ReasonCode.REPORT_OVERDUE,
        "amber",
        18,
        17,
    )
    assert "No status report for 18 days" in reason.message
    assert assessment.overdue_report is not None
    assert assessment.rag == "amber"


def test_last_report_at_takes_precedence_over_the_report_date() -> None:
    assessment = assess_health(baseline(), report(), DEFAULTS, on_day(68), on_day(60))

    assert assessment.rag == "green"


def test_no_report_is_unknown_until_the_first_report_is_overdue() -> None:
    early = assess(None, today=17)
    late = assess(None, today=18)

    assert (early.rag, early.reasons, early.metrics) == ("unknown", (), None)
    assert early.as_of == on_day(17)
    assert late.rag == "amber"
    assert [r.code for r in late.reasons] == [ReasonCode.REPORT_OVERDUE]
    assert "since the project started" in late.reasons[0].message


def test_no_report_ignores_milestones_because_progress_is_unknown() -> None:
    plan = baseline(milestones=(BaselineMilestone("Design approved", on_day(1)),))

    assert assess(None, plan=plan, today=10).rag == "unknown"


def test_methodology_overrides_change_the_verdict() -> None:
    # CPI 0.926 is amber by default; a methodology tolerating CPI down to 0.90 keeps it green.
    lenient = Thresholds.from_overrides(
        {"cpi_amber": 0.90, "cpi_red": 0.85, "eac_amber_ratio": 1.1}
    )
    status = report(cost=54_000)

    assert assess(status).rag == "amber"
    assert assess_health(baseline(), status, lenient, on_day(50), None).rag == "green"


def test_red_reasons_come_before_amber_ones() -> None:
    plan = baseline(milestones=(BaselineMilestone("Design approved", on_day(45)),))
    assessment = assess(report(manager_rag="red"), plan=plan)

    assert [r.rag for r in assessment.reasons] == ["red", "amber"]
