"""A project's health (RAG) and the reasons for it, per ARCHITECTURE.md's health rules.

Every signal that is not green becomes a Reason; the RAG is the worst of them, green when a
report exists and no signal fires, `unknown` when no report exists and none is overdue yet
(docs/adr/0003-health-rules.md). Comparisons with a threshold tolerate 1e-9 of float noise,
so a value exactly on a threshold does not cross it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from pmo_monitoring.domain.assessment import HealthAssessment
from pmo_monitoring.domain.early_warning import DEFAULT_EARLY_WARNING, EarlyWarningSettings
from pmo_monitoring.domain.hysteresis import DEFAULT_MARGINS, HysteresisMargins
from pmo_monitoring.domain.milestone_slippage import milestone_slippage
from pmo_monitoring.domain.model import ProjectBaseline, StatusReport, Thresholds
from pmo_monitoring.domain.phrases import phrase
from pmo_monitoring.domain.reasons import Reason, worst_rag
from pmo_monitoring.domain.report_judge import (
    ReportJudge,
    late_milestone_reasons,
    report_overdue_reason,
)
from pmo_monitoring.domain.reporting_cadence import check_report_overdue
from pmo_monitoring.domain.trend import Indices, TrendPoint
from pmo_monitoring.domain.value_records import value_record

__all__ = [
    "NO_REPORT_NOTE",
    "HealthAssessment",
    "ReportJudgement",
    "assess_health",
    "assess_history",
    "judge_report",
    "milestone_reasons",
    "report_overdue_reason",
]

NO_REPORT_NOTE = phrase("No status report has been received yet, so progress cannot be judged.")


def assess_health(
    baseline: ProjectBaseline,
    report: StatusReport | None,
    thresholds: Thresholds,
    today: date,
    last_report_at: date | None,
    *,
    previous: HealthAssessment | Mapping[str, str] | None = None,
    history: Iterable[TrendPoint] | None = None,
    early_warning: EarlyWarningSettings = DEFAULT_EARLY_WARNING,
    hysteresis: HysteresisMargins = DEFAULT_MARGINS,
) -> HealthAssessment:
    """Assess a project from its latest report (None if none yet) as of `today`.

    Metrics and milestones are judged as of the report's date; whether a report is overdue
    as of `today`, counting from `last_report_at` (the report's as_of when None is given).
    `previous` (the last assessment, or its reason codes' colours) turns on hysteresis for
    CPI, SPI, SPI(t) and EAC. `history` (trend points of earlier reports, may be empty) turns
    on the trend and the advisory trend and optimism warnings; points dated on or after the
    report are ignored. Both default to off.
    """
    if last_report_at is None and report is not None:
        last_report_at = report.as_of
    if report is None:
        overdue = check_report_overdue(
            start_date=baseline.start_date,
            last_report_at=last_report_at,
            today=today,
            thresholds=thresholds,
        )
        overdue_reasons = [] if overdue is None else [report_overdue_reason(overdue, thresholds)]
        return HealthAssessment(
            rag=worst_rag((reason.rag for reason in overdue_reasons), default="unknown"),
            reasons=tuple(overdue_reasons),
            metrics=None,
            as_of=today,
            overdue_report=overdue,
            notes=(NO_REPORT_NOTE,),
        )
    judge = ReportJudge.of(baseline, thresholds, early_warning, hysteresis)
    signals = judge.signals(report, previous, history)
    return signals.as_of(
        today, last_report_at=last_report_at if last_report_at is not None else report.as_of
    )


def assess_history(
    baseline: ProjectBaseline,
    reports: Iterable[StatusReport],
    thresholds: Thresholds,
    *,
    early_warning: EarlyWarningSettings = DEFAULT_EARLY_WARNING,
    hysteresis: HysteresisMargins = DEFAULT_MARGINS,
) -> list[HealthAssessment]:
    """Each report, oldest first, judged as of its own date with trend and hysteresis.

    The same as calling `assess_health(baseline, report, thresholds, report.as_of, None,
    history=..., previous=...)` on each report in turn, with the trend points of the
    `early_warning.window - 1` reports before it as history and the assessment of the one
    just before it as previous: what a full recompute of a project's history runs (after a
    re-baseline or a change of thresholds). The baseline is worked out once for all reports.
    """
    judge = ReportJudge.of(baseline, thresholds, early_warning, hysteresis)
    keep = early_warning.window - 1  # the report being judged completes the window
    history: list[Indices] = []  # the metrics of the reports before, as their trend points
    previous: HealthAssessment | None = None
    assessments: list[HealthAssessment] = []
    for report in reports:
        signals = judge.signals(report, previous, history)
        previous = signals.as_of(report.as_of, last_report_at=report.as_of)
        assessments.append(previous)
        history.append(signals.metrics)
        if len(history) > keep:
            del history[0]
    return assessments


@value_record
class ReportJudgement:
    """One report judged once, read on two dates.

    `on_its_date` is the report as of its own as_of (its point of the history: no overdue
    signal, that is a matter of today); `today` is the project's health as of `today` when
    this report is its latest. Both equal `assess_health` called with those dates.
    """

    on_its_date: HealthAssessment
    today: HealthAssessment


def judge_report(
    baseline: ProjectBaseline,
    report: StatusReport,
    thresholds: Thresholds,
    today: date,
    *,
    previous: HealthAssessment | Mapping[str, str] | None = None,
    history: Iterable[TrendPoint] | None = None,
    early_warning: EarlyWarningSettings = DEFAULT_EARLY_WARNING,
    hysteresis: HysteresisMargins = DEFAULT_MARGINS,
) -> ReportJudgement:
    """Judge a report's signals once and read them as of its own date and as of `today`.

    Metrics, milestones, trend and hysteresis do not depend on the day they are read; only
    an overdue report does, so the two readings share everything else.
    """
    judge = ReportJudge.of(baseline, thresholds, early_warning, hysteresis)
    signals = judge.signals(report, previous, history)
    return ReportJudgement(
        on_its_date=signals.as_of(report.as_of, last_report_at=report.as_of),
        today=signals.as_of(today, last_report_at=report.as_of),
    )


def milestone_reasons(
    baseline: ProjectBaseline, report: StatusReport, thresholds: Thresholds
) -> list[Reason]:
    """One reason per baseline milestone past due on the report date and not reported done.

    Reported milestones are matched to the baseline by name, ignoring case and surrounding
    spaces; a baseline milestone the report does not mention counts as not done.
    """
    return late_milestone_reasons(milestone_slippage(baseline, report), thresholds)
