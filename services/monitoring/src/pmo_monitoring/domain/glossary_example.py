"""The glossary's worked example: one project judged by the real rules, under given thresholds.

A 200-day project with a budget of 100,000 EUR spread evenly reports on day 100. Its progress
and cost are chosen just past the red limits of the thresholds in force, so every signal has
something to show; every figure after that (PV, EV, CPI, EAC, SPI(t), the forecast end, the
reasons and their words) comes out of the same functions that judge real projects. A second
series of weekly reports, cost performance slipping towards red, shows the trend warning.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from pmo_monitoring.domain.early_warning import EarlyWarningSettings, trend_warnings
from pmo_monitoring.domain.earned_value import EarnedValueMetrics, compute_earned_value
from pmo_monitoring.domain.health_rules import assess_health
from pmo_monitoring.domain.model import (
    BaselineMilestone,
    MilestoneStatus,
    ProjectBaseline,
    StatusReport,
    Thresholds,
)
from pmo_monitoring.domain.phrases import phrase
from pmo_monitoring.domain.reasons import Reason
from pmo_monitoring.domain.trend import TrendPoint, analyse_trend
from pmo_monitoring.domain.value_records import value_record

START = date(2026, 1, 5)
DURATION_DAYS = 200
BUDGET = 100_000.0
CURRENCY = "EUR"
REPORT_DAY = 100
BELOW_RED = 0.94
"""Progress and cost efficiency are set at 94 % of their red limits: clearly red."""
TREND_STEP = 0.02
"""The cost performance of the trend series loses this much a week."""
TREND_REPORTS = 5
MILESTONE = phrase("Design signed off")
"""A milestone's name is the project's own text; the example's reads in the reader's language."""


@value_record
class WorkedExample:
    """The example project, its report and what the rules made of them."""

    baseline: ProjectBaseline
    report: StatusReport
    metrics: EarnedValueMetrics
    judged_on: date
    """The day the reasons are judged: late enough for the missed report to show too."""
    reasons: Mapping[str, Reason]
    """The first reason of each code, from the report or (trend_warning) the trend series."""


def _baseline(thresholds: Thresholds) -> ProjectBaseline:
    # A milestone due a week more than the red allowance before the report: red when late.
    due_day = max(1, REPORT_DAY - thresholds.milestone_red_days_late - 7)
    return ProjectBaseline(
        project_id="example",
        name="Example",
        start_date=START,
        end_date=START + timedelta(days=DURATION_DAYS),
        budget=BUDGET,
        currency=CURRENCY,
        milestones=(BaselineMilestone(MILESTONE, START + timedelta(days=due_day)),),
    )


def _printed_index(value: float) -> float:
    """A target index as the glossary prints it, two decimals.

    The inputs are derived from the printed index, not the exact one, so that the example's
    arithmetic adds up on the page: EAC = 100,000 / 0.85 is 117,647, which it would not be
    if CPI were really 0.846 (EAC 118,203). Six per cent under a red limit stays under it
    after rounding for any limit above 0.09.
    """
    return round(value, 2)


def _report(thresholds: Thresholds) -> StatusReport:
    half_done = 50.0  # the plan's percentage on day 100 of 200
    spi = _printed_index(thresholds.spi_red * BELOW_RED)
    percent = round(half_done * spi, 2)
    earned = BUDGET * percent / 100
    # Below the CPI red limit, and low enough for EAC = BAC / CPI to pass its red limit too.
    cpi = _printed_index(min(thresholds.cpi_red, 1 / thresholds.eac_red_ratio) * BELOW_RED)
    return StatusReport(
        as_of=START + timedelta(days=REPORT_DAY),
        percent_complete=percent,
        actual_cost=round(earned / cpi, 2),
        milestones=(MilestoneStatus(MILESTONE, "in_progress"),),
        manager_rag="amber",
    )


def _trend_reasons(
    baseline: ProjectBaseline, thresholds: Thresholds, settings: EarlyWarningSettings
) -> list[Reason]:
    """Weekly reports on schedule whose cost performance slips towards the red limit."""
    points = []
    for week in range(TREND_REPORTS):
        as_of = baseline.start_date + timedelta(days=REPORT_DAY - 7 * (TREND_REPORTS - 1 - week))
        planned = 100 * (as_of - baseline.start_date).days / DURATION_DAYS
        cpi = thresholds.cpi_red + 0.05 + TREND_STEP * (TREND_REPORTS - 1 - week)
        earned = BUDGET * planned / 100
        report = StatusReport(as_of=as_of, percent_complete=planned, actual_cost=earned / cpi)
        points.append(TrendPoint.from_metrics(compute_earned_value(baseline, report)))
    trend = analyse_trend(points, window=settings.window, dead_band=settings.dead_band)
    return trend_warnings(trend, thresholds, settings)


def worked_example(thresholds: Thresholds, settings: EarlyWarningSettings) -> WorkedExample:
    """The example judged by `thresholds` (a methodology's, or the defaults)."""
    baseline = _baseline(thresholds)
    report = _report(thresholds)
    judged_on = report.as_of + timedelta(
        days=thresholds.report_cadence_days + thresholds.report_grace_days + 7
    )
    assessment = assess_health(
        baseline,
        report,
        thresholds,
        judged_on,
        report.as_of,
        history=[],  # no earlier report: no trend, but the optimism check runs
        early_warning=settings,
    )
    reasons: dict[str, Reason] = {}
    for reason in (*assessment.reasons, *_trend_reasons(baseline, thresholds, settings)):
        reasons.setdefault(str(reason.code), reason)
    if assessment.metrics is None:  # pragma: no cover - the example always has its report
        raise ValueError("the worked example has no metrics")
    return WorkedExample(
        baseline=baseline,
        report=report,
        metrics=assessment.metrics,
        judged_on=judged_on,
        reasons=reasons,
    )
