"""A project's health (RAG) and the reasons for it, per ARCHITECTURE.md's health rules.

Every signal that is not green becomes a Reason; the RAG is the worst of them, green when a
report exists and no signal fires, `unknown` when no report exists and none is overdue yet
(docs/adr/0003-health-rules.md). Comparisons with a threshold tolerate 1e-9 of float noise,
so a value exactly on a threshold does not cross it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from pmo_monitoring.domain.early_warning import (
    DEFAULT_EARLY_WARNING,
    EarlyWarningSettings,
    optimism_warning,
    trend_warnings,
)
from pmo_monitoring.domain.earned_value import EarnedValueMetrics, compute_earned_value
from pmo_monitoring.domain.hysteresis import DEFAULT_MARGINS, HysteresisMargins, signal_rags
from pmo_monitoring.domain.milestone_slippage import MilestoneSlippage, milestone_slippage
from pmo_monitoring.domain.model import (
    ProjectBaseline,
    Rag,
    SignalRag,
    StatusReport,
    Thresholds,
)
from pmo_monitoring.domain.reasons import Reason, ReasonCode, most_severe_first, worst_rag
from pmo_monitoring.domain.reporting_cadence import OverdueReport, check_report_overdue
from pmo_monitoring.domain.risk_exposure import RiskExposure, risk_exposure
from pmo_monitoring.domain.signal_reasons import SignalJudge
from pmo_monitoring.domain.trend import TrendAnalysis, TrendPoint, analyse_trend
from pmo_monitoring.domain.wording import days

__all__ = [
    "NO_REPORT_NOTE",
    "HealthAssessment",
    "ReportJudgement",
    "assess_health",
    "judge_report",
    "milestone_reasons",
    "report_overdue_reason",
]

_SUMMARY_LIMIT = 200
NO_REPORT_NOTE = "No status report has been received yet, so progress cannot be judged."


@dataclass(frozen=True, slots=True)
class HealthAssessment:
    """A project's RAG with its reasons and the metrics they came from.

    `as_of` is the report's date, or `today` when there is no report. `metrics` is None when
    there is no report. `overdue_report` is set when a status report is overdue as of `today`.
    `trend` is set when the assessment was given a history; `milestones` and `risks` whenever
    there is a report. None of the three changes the RAG except through trend warnings.
    """

    rag: Rag
    reasons: tuple[Reason, ...]
    metrics: EarnedValueMetrics | None
    as_of: date
    overdue_report: OverdueReport | None = None
    notes: tuple[str, ...] = ()
    trend: TrendAnalysis | None = None
    milestones: MilestoneSlippage | None = None
    risks: RiskExposure | None = None

    @property
    def at_risk(self) -> bool:
        """Red: the state in which `project.at_risk` is published and an alert stays open."""
        return self.rag == "red"

    @property
    def signal_rags(self) -> dict[str, SignalRag]:
        """Each reason code's colour, to pass as `previous` to the next assessment."""
        return signal_rags(self.reasons)


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
    signals = _report_signals(
        baseline, report, thresholds, previous, history, early_warning, hysteresis
    )
    return signals.as_of(
        today, last_report_at=last_report_at if last_report_at is not None else report.as_of
    )


@dataclass(frozen=True, slots=True)
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
    signals = _report_signals(
        baseline, report, thresholds, previous, history, early_warning, hysteresis
    )
    return ReportJudgement(
        on_its_date=signals.as_of(report.as_of, last_report_at=report.as_of),
        today=signals.as_of(today, last_report_at=report.as_of),
    )


@dataclass(frozen=True, slots=True)
class _ReportSignals:
    """Every signal of a report except the overdue one, in the order they are evaluated."""

    baseline: ProjectBaseline
    report: StatusReport
    thresholds: Thresholds
    metrics: EarnedValueMetrics
    trend: TrendAnalysis | None
    before_overdue: tuple[Reason, ...]
    after_overdue: tuple[Reason, ...]

    def as_of(self, today: date, *, last_report_at: date) -> HealthAssessment:
        """The assessment as of `today`: the report's signals plus an overdue report, if any."""
        overdue = check_report_overdue(
            start_date=self.baseline.start_date,
            last_report_at=last_report_at,
            today=today,
            thresholds=self.thresholds,
        )
        overdue_reasons = (
            [] if overdue is None else [report_overdue_reason(overdue, self.thresholds)]
        )
        reasons = [*self.before_overdue, *overdue_reasons, *self.after_overdue]
        return HealthAssessment(
            rag=worst_rag((reason.rag for reason in reasons), default="green"),
            reasons=most_severe_first(reasons),
            metrics=self.metrics,
            as_of=self.report.as_of,
            overdue_report=overdue,
            notes=self.metrics.notes,
            trend=self.trend,
            milestones=milestone_slippage(self.baseline, self.report),
            risks=risk_exposure(self.report.risks),
        )


def _report_signals(
    baseline: ProjectBaseline,
    report: StatusReport,
    thresholds: Thresholds,
    previous: HealthAssessment | Mapping[str, str] | None,
    history: Iterable[TrendPoint] | None,
    early_warning: EarlyWarningSettings,
    hysteresis: HysteresisMargins,
) -> _ReportSignals:
    metrics = compute_earned_value(baseline, report)
    before = previous.signal_rags if isinstance(previous, HealthAssessment) else previous
    trend = None
    advisories: list[Reason] = []
    if history is not None:
        # Only earlier reports count: the report being assessed is the newest point, even
        # when a backfill hands over history that runs past it.
        earlier = [point for point in history if point.as_of < report.as_of]
        trend = analyse_trend(
            [*earlier, TrendPoint.from_metrics(metrics)],
            window=early_warning.window,
            dead_band=early_warning.dead_band,
        )
        advisories = trend_warnings(trend, thresholds, early_warning)
        optimism = optimism_warning(tcpi=metrics.tcpi, cpi=metrics.cpi, settings=early_warning)
        if optimism is not None:
            advisories.append(optimism)
    judge = SignalJudge(thresholds, before or {}, hysteresis)
    before_overdue = (
        *judge.performance_reasons(metrics, currency=baseline.currency),
        *judge.earned_schedule_reasons(baseline, metrics),
        *milestone_reasons(baseline, report, thresholds),
    )
    return _ReportSignals(
        baseline=baseline,
        report=report,
        thresholds=thresholds,
        metrics=metrics,
        trend=trend,
        before_overdue=before_overdue,
        after_overdue=(*_manager_reasons(report), *advisories),
    )


def milestone_reasons(
    baseline: ProjectBaseline, report: StatusReport, thresholds: Thresholds
) -> list[Reason]:
    """One reason per baseline milestone past due on the report date and not reported done.

    Reported milestones are matched to the baseline by name, ignoring case and surrounding
    spaces; a baseline milestone the report does not mention counts as not done.
    """
    reported = {milestone.name.strip().casefold(): milestone for milestone in report.milestones}
    reasons: list[Reason] = []
    for milestone in sorted(baseline.milestones, key=lambda item: item.due_date):
        status = reported.get(milestone.name.strip().casefold())
        days_late = (report.as_of - milestone.due_date).days
        if days_late <= 0 or (status is not None and status.is_done):
            continue
        red_after = thresholds.milestone_red_days_late
        rag: SignalRag = "red" if days_late > red_after else "amber"
        forecast = ""
        if status is not None and status.forecast_date is not None:
            forecast = f" (now forecast for {status.forecast_date})"
        if rag == "red":
            rule = f"red beyond {days(red_after)} late"
        else:
            rule = f"amber when late, red beyond {days(red_after)} late"
        reasons.append(
            Reason(
                code=ReasonCode.MILESTONE_OVERDUE,
                message=(
                    f'Milestone "{milestone.name}" was due on {milestone.due_date} and is '
                    f"{days(days_late)} late without being reported done{forecast}; {rule}."
                ),
                metric="milestone_days_late",
                value=float(days_late),
                threshold=float(red_after if rag == "red" else 0),
                rag=rag,
            )
        )
    return reasons


def report_overdue_reason(overdue: OverdueReport, thresholds: Thresholds) -> Reason:
    """The amber reason for a missed status report."""
    if overdue.last_report_at is None:
        since = (
            "No status report since the project started "
            f"({days(overdue.days_since_last_report)} ago)"
        )
    else:
        since = (
            f"No status report for {days(overdue.days_since_last_report)} "
            f"(the last one is dated {overdue.last_report_at})"
        )
    allowed = thresholds.report_cadence_days + thresholds.report_grace_days
    return Reason(
        code=ReasonCode.REPORT_OVERDUE,
        message=(
            f"{since}; one is expected every {days(thresholds.report_cadence_days)}, "
            f"with {days(thresholds.report_grace_days)} of grace."
        ),
        metric="days_since_last_report",
        value=float(overdue.days_since_last_report),
        threshold=float(allowed),
        rag="amber",
    )


def _manager_reasons(report: StatusReport) -> list[Reason]:
    rag = report.manager_rag
    if rag is None or rag == "green":
        return []
    summary = (report.summary or "").strip()
    if len(summary) > _SUMMARY_LIMIT:
        summary = summary[: _SUMMARY_LIMIT - 3].rstrip() + "..."
    said = f': "{summary}"' if summary else ""
    return [
        Reason(
            code=ReasonCode.MANAGER_FLAGGED,
            message=f"The project manager rates the project {rag}{said}.",
            metric="manager_rag",
            value=None,
            threshold=None,
            rag=rag,
        )
    ]
