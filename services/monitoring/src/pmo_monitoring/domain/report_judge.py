"""One baseline's reports judged signal by signal: everything but the RAG's final reading.

The baseline (its planned-value curve, milestones and signal bands) is worked out once by
`ReportJudge.of`, so judging a project's whole history costs little more than its metrics.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from pmo_monitoring.domain.assessment import HealthAssessment
from pmo_monitoring.domain.early_warning import (
    EarlyWarningSettings,
    optimism_warning,
    trend_warnings,
)
from pmo_monitoring.domain.earned_value import EarnedValueBasis, EarnedValueMetrics
from pmo_monitoring.domain.hysteresis import HysteresisMargins
from pmo_monitoring.domain.milestone_slippage import MilestonePlan, MilestoneSlippage
from pmo_monitoring.domain.model import ProjectBaseline, SignalRag, StatusReport, Thresholds
from pmo_monitoring.domain.phrases import Day, phrase
from pmo_monitoring.domain.reasons import Reason, ReasonCode, most_severe_first
from pmo_monitoring.domain.reporting_cadence import OverdueReport, check_report_overdue
from pmo_monitoring.domain.risk_exposure import RiskExposure, risk_exposure
from pmo_monitoring.domain.signal_reasons import SignalRules
from pmo_monitoring.domain.trend import Indices, TrendAnalysis, analyse_trend
from pmo_monitoring.domain.value_records import value_record
from pmo_monitoring.domain.wording import colour, days

_SUMMARY_LIMIT = 200


@dataclass(slots=True)
class ReportSignals:
    """Every signal of a report except the overdue one, in the order they are evaluated."""

    baseline: ProjectBaseline
    report: StatusReport
    thresholds: Thresholds
    metrics: EarnedValueMetrics
    trend: TrendAnalysis | None
    milestones: MilestoneSlippage
    risks: RiskExposure
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
        if overdue is None:
            reasons = most_severe_first((*self.before_overdue, *self.after_overdue))
        else:
            overdue_reason = report_overdue_reason(overdue, self.thresholds)
            reasons = most_severe_first((*self.before_overdue, overdue_reason, *self.after_overdue))
        return HealthAssessment(
            rag=reasons[0].rag if reasons else "green",  # the most severe comes first
            reasons=reasons,
            metrics=self.metrics,
            as_of=self.report.as_of,
            overdue_report=overdue,
            notes=self.metrics.notes,
            trend=self.trend,
            milestones=self.milestones,
            risks=self.risks,
        )


@value_record
class ReportJudge:
    """Judges reports of one baseline by one set of rules; the baseline is worked out once."""

    baseline: ProjectBaseline
    thresholds: Thresholds
    early_warning: EarlyWarningSettings
    hysteresis: HysteresisMargins
    earned_value: EarnedValueBasis
    milestones: MilestonePlan
    signal_rules: SignalRules

    @classmethod
    def of(
        cls,
        baseline: ProjectBaseline,
        thresholds: Thresholds,
        early_warning: EarlyWarningSettings,
        hysteresis: HysteresisMargins,
    ) -> ReportJudge:
        """The judge of `baseline`'s reports."""
        return cls(
            baseline=baseline,
            thresholds=thresholds,
            early_warning=early_warning,
            hysteresis=hysteresis,
            earned_value=EarnedValueBasis.of(baseline),
            milestones=MilestonePlan.of(baseline),
            signal_rules=SignalRules.of(thresholds, hysteresis, bac=baseline.budget),
        )

    def signals(
        self,
        report: StatusReport,
        previous: HealthAssessment | Mapping[str, str] | None,
        history: Iterable[Indices] | None,
    ) -> ReportSignals:
        """Every signal of `report` but the overdue one."""
        baseline, thresholds, early_warning = self.baseline, self.thresholds, self.early_warning
        metrics = self.earned_value.measure(report)
        before = previous.signal_rags if isinstance(previous, HealthAssessment) else previous
        trend = None
        advisories: list[Reason] = []
        if history is not None:
            # Only earlier reports count: the report being assessed is the newest point, even
            # when a backfill hands over history that runs past it.
            as_of = report.as_of
            earlier = [earlier_point for earlier_point in history if earlier_point.as_of < as_of]
            earlier.append(metrics)  # the newest point: the metrics carry its date and indices
            trend = analyse_trend(
                earlier, window=early_warning.window, dead_band=early_warning.dead_band
            )
            advisories = trend_warnings(trend, thresholds, early_warning)
            optimism = optimism_warning(tcpi=metrics.tcpi, cpi=metrics.cpi, settings=early_warning)
            if optimism is not None:
                advisories.append(optimism)
        colours = before or {}
        rules = self.signal_rules
        milestones = self.milestones.slippage(report)
        return ReportSignals(
            baseline=baseline,
            report=report,
            thresholds=thresholds,
            metrics=metrics,
            trend=trend,
            milestones=milestones,
            risks=risk_exposure(report.risks),
            before_overdue=(
                *rules.performance_reasons(metrics, colours, currency=baseline.currency),
                *rules.earned_schedule_reasons(baseline, metrics, colours),
                *late_milestone_reasons(milestones, thresholds),
            ),
            after_overdue=(*_manager_reasons(report), *advisories),
        )


def late_milestone_reasons(slippage: MilestoneSlippage, thresholds: Thresholds) -> list[Reason]:
    """`milestone_reasons` from the slippage already worked out for the same report."""
    reasons: list[Reason] = []
    red_after = thresholds.milestone_red_days_late
    for slip in slippage.milestones:
        days_late = slip.days_late  # 0 unless past due and not reported done
        if days_late <= 0:
            continue
        rag: SignalRag = "red" if days_late > red_after else "amber"
        forecast: str = ""
        if slip.forecast_date is not None:
            forecast = phrase(" (now forecast for {forecast})", forecast=Day(slip.forecast_date))
        if rag == "red":
            rule = phrase("red beyond {limit} late", limit=days(red_after))
        else:
            rule = phrase("amber when late, red beyond {limit} late", limit=days(red_after))
        reasons.append(
            Reason(
                code=ReasonCode.MILESTONE_OVERDUE,
                message=phrase(
                    'Milestone "{name}" was due on {due} and is {late} late without being '
                    "reported done{forecast}; {rule}.",
                    name=slip.name,
                    due=Day(slip.due_date),
                    late=days(days_late),
                    forecast=forecast,
                    rule=rule,
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
        since = phrase(
            "No status report since the project started ({elapsed} ago)",
            elapsed=days(overdue.days_since_last_report),
        )
    else:
        since = phrase(
            "No status report for {elapsed} (the last one is dated {last})",
            elapsed=days(overdue.days_since_last_report),
            last=Day(overdue.last_report_at),
        )
    allowed = thresholds.report_cadence_days + thresholds.report_grace_days
    return Reason(
        code=ReasonCode.REPORT_OVERDUE,
        message=phrase(
            "{since}; one is expected every {cadence}, with {grace} of grace.",
            since=since,
            cadence=days(thresholds.report_cadence_days),
            grace=days(thresholds.report_grace_days),
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
    if summary:
        message = phrase(
            'The project manager rates the project {colour}: "{summary}".',
            colour=colour(rag),
            summary=summary,
        )
    else:
        message = phrase("The project manager rates the project {colour}.", colour=colour(rag))
    return [
        Reason(
            code=ReasonCode.MANAGER_FLAGGED,
            message=message,
            metric="manager_rag",
            value=None,
            threshold=None,
            rag=rag,
        )
    ]
