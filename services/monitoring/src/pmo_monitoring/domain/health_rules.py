"""A project's health (RAG) and the reasons for it, per ARCHITECTURE.md's health rules.

Every signal that is not green becomes a Reason; the RAG is the worst of them, green when a
report exists and no signal fires, `unknown` when no report exists and none is overdue yet
(docs/adr/0003-health-rules.md). Comparisons with a threshold tolerate 1e-9 of float noise,
so a value exactly on a threshold does not cross it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pmo_monitoring.domain.earned_value import EarnedValueMetrics, compute_earned_value
from pmo_monitoring.domain.model import (
    ProjectBaseline,
    Rag,
    SignalRag,
    StatusReport,
    Thresholds,
)
from pmo_monitoring.domain.reasons import Reason, ReasonCode, most_severe_first, worst_rag
from pmo_monitoring.domain.reporting_cadence import OverdueReport, check_report_overdue

_TOLERANCE = 1e-9
_SUMMARY_LIMIT = 200
NO_REPORT_NOTE = "No status report has been received yet, so progress cannot be judged."


@dataclass(frozen=True, slots=True)
class HealthAssessment:
    """A project's RAG with its reasons and the metrics they came from.

    `as_of` is the report's date, or `today` when there is no report. `metrics` is None when
    there is no report. `overdue_report` is set when a status report is overdue as of `today`.
    """

    rag: Rag
    reasons: tuple[Reason, ...]
    metrics: EarnedValueMetrics | None
    as_of: date
    overdue_report: OverdueReport | None = None
    notes: tuple[str, ...] = ()

    @property
    def at_risk(self) -> bool:
        """Red: the state in which `project.at_risk` is published and an alert stays open."""
        return self.rag == "red"


def assess_health(
    baseline: ProjectBaseline,
    report: StatusReport | None,
    thresholds: Thresholds,
    today: date,
    last_report_at: date | None,
) -> HealthAssessment:
    """Assess a project from its latest report (None if none yet) as of `today`.

    Metrics and milestones are judged as of the report's date; whether a report is overdue
    as of `today`, counting from `last_report_at` (the report's as_of when None is given).
    """
    if last_report_at is None and report is not None:
        last_report_at = report.as_of
    overdue = check_report_overdue(
        start_date=baseline.start_date,
        last_report_at=last_report_at,
        today=today,
        thresholds=thresholds,
    )
    overdue_reasons = [] if overdue is None else [report_overdue_reason(overdue, thresholds)]
    if report is None:
        return HealthAssessment(
            rag=worst_rag((reason.rag for reason in overdue_reasons), default="unknown"),
            reasons=tuple(overdue_reasons),
            metrics=None,
            as_of=today,
            overdue_report=overdue,
            notes=(NO_REPORT_NOTE,),
        )
    metrics = compute_earned_value(baseline, report)
    reasons = [
        *performance_reasons(
            cpi=metrics.cpi,
            spi=metrics.spi,
            eac=metrics.eac,
            bac=metrics.bac,
            currency=baseline.currency,
            thresholds=thresholds,
        ),
        *_earned_schedule_reasons(baseline, metrics, thresholds),
        *milestone_reasons(baseline, report, thresholds),
        *overdue_reasons,
        *_manager_reasons(report),
    ]
    return HealthAssessment(
        rag=worst_rag((reason.rag for reason in reasons), default="green"),
        reasons=most_severe_first(reasons),
        metrics=metrics,
        as_of=report.as_of,
        overdue_report=overdue,
        notes=metrics.notes,
    )


def performance_reasons(
    *,
    cpi: float | None,
    spi: float | None,
    eac: float | None,
    bac: float,
    currency: str,
    thresholds: Thresholds,
) -> list[Reason]:
    """Reasons from CPI, SPI and EAC against BAC; shared by projects and portfolio roll-ups."""
    reasons: list[Reason] = []
    if cpi is not None and (rag := _below_rag(cpi, thresholds.cpi_amber, thresholds.cpi_red)):
        limit = thresholds.cpi_red if rag == "red" else thresholds.cpi_amber
        reasons.append(
            Reason(
                code=ReasonCode.CPI_BELOW_THRESHOLD,
                message=(
                    f"Cost performance {cpi:.2f}: each {currency} spent has earned "
                    f"{cpi:.2f} {currency} of planned work; {rag} below {limit:.2f}."
                ),
                metric="cpi",
                value=cpi,
                threshold=limit,
                rag=rag,
            )
        )
    if eac is not None:
        reasons.extend(_eac_reasons(eac, bac, currency, thresholds))
    if spi is not None and (rag := _below_rag(spi, thresholds.spi_amber, thresholds.spi_red)):
        limit = thresholds.spi_red if rag == "red" else thresholds.spi_amber
        reasons.append(
            Reason(
                code=ReasonCode.SPI_BELOW_THRESHOLD,
                message=(
                    f"Schedule performance {spi:.2f}: the work done is worth {spi:.0%} of "
                    f"the work planned by now; {rag} below {limit:.2f}."
                ),
                metric="spi",
                value=spi,
                threshold=limit,
                rag=rag,
            )
        )
    return reasons


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
            rule = f"red beyond {_days(red_after)} late"
        else:
            rule = f"amber when late, red beyond {_days(red_after)} late"
        reasons.append(
            Reason(
                code=ReasonCode.MILESTONE_OVERDUE,
                message=(
                    f'Milestone "{milestone.name}" was due on {milestone.due_date} and is '
                    f"{_days(days_late)} late without being reported done{forecast}; {rule}."
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
            f"({_days(overdue.days_since_last_report)} ago)"
        )
    else:
        since = (
            f"No status report for {_days(overdue.days_since_last_report)} "
            f"(the last one is dated {overdue.last_report_at})"
        )
    allowed = thresholds.report_cadence_days + thresholds.report_grace_days
    return Reason(
        code=ReasonCode.REPORT_OVERDUE,
        message=(
            f"{since}; one is expected every {_days(thresholds.report_cadence_days)}, "
            f"with {_days(thresholds.report_grace_days)} of grace."
        ),
        metric="days_since_last_report",
        value=float(overdue.days_since_last_report),
        threshold=float(allowed),
        rag="amber",
    )


def _eac_reasons(eac: float, bac: float, currency: str, thresholds: Thresholds) -> list[Reason]:
    red_limit = bac * thresholds.eac_red_ratio
    amber_limit = bac * thresholds.eac_amber_ratio
    rag: SignalRag
    if _above(eac, red_limit):
        rag, limit, ratio = "red", red_limit, thresholds.eac_red_ratio
    elif _above(eac, amber_limit):
        rag, limit, ratio = "amber", amber_limit, thresholds.eac_amber_ratio
    else:
        return []
    over = f" is {(eac - bac) / bac:.1%} over" if bac > 0 else " exceeds"
    return [
        Reason(
            code=ReasonCode.EAC_OVER_BUDGET,
            message=(
                f"Forecast cost at completion {_money(eac)} {currency}{over} the "
                f"{_money(bac)} {currency} budget at the current cost performance; {rag} "
                f"above {_money(limit)} {currency} ({ratio - 1:.0%} over budget)."
            ),
            metric="eac",
            value=eac,
            threshold=limit,
            rag=rag,
        )
    ]


def _earned_schedule_reasons(
    baseline: ProjectBaseline, metrics: EarnedValueMetrics, thresholds: Thresholds
) -> list[Reason]:
    spi_t, es = metrics.spi_t, metrics.es
    if spi_t is None or es is None:
        return []
    rag = _below_rag(spi_t, thresholds.spi_amber, thresholds.spi_red)
    if rag is None:
        return []
    limit = thresholds.spi_red if rag == "red" else thresholds.spi_amber
    forecast = ""
    if metrics.forecast_end_date is not None:
        forecast = (
            f"; at this pace it finishes on {metrics.forecast_end_date} "
            f"instead of {baseline.end_date}"
        )
    return [
        Reason(
            code=ReasonCode.SPI_T_BELOW_THRESHOLD,
            message=(
                f"Time-based schedule performance {spi_t:.2f}: after {_days(metrics.at)} the "
                f"project has done the work planned for its first {_days(round(es))} "
                f"({_days(round(metrics.at - es))} behind){forecast}; {rag} below {limit:.2f}."
            ),
            metric="spi_t",
            value=spi_t,
            threshold=limit,
            rag=rag,
        )
    ]


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


def _below_rag(value: float, amber: float, red: float) -> SignalRag | None:
    if _below(value, red):
        return "red"
    if _below(value, amber):
        return "amber"
    return None


def _below(value: float, limit: float) -> bool:
    return value < limit - _TOLERANCE * max(1.0, abs(limit))


def _above(value: float, limit: float) -> bool:
    return value > limit + _TOLERANCE * max(1.0, abs(limit))


def _money(amount: float) -> str:
    return f"{amount:,.0f}" if abs(amount) >= 1000 else f"{amount:,.2f}"


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"
