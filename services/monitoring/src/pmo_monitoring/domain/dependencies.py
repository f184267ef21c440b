"""Cross-project dependencies at risk: the upstream project's forecast end against `needed_by`.

A dependency item of a downstream project says it needs an upstream project done by a date.
When the upstream's forecast end (earned schedule: start + PD / SPI(t), from its latest
health) falls after that date, the downstream gets a `dependency_at_risk` reason: amber, red
when the slip exceeds the red milestone tolerance in force (a dependency is a milestone the
project does not control). A closed item, an upstream with no forecast yet, or a closed
upstream (its work is over) raises nothing (docs/adr/0025-raid-register.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, timedelta

from pmo_monitoring.domain.assessment import HealthAssessment
from pmo_monitoring.domain.model import SignalRag, Thresholds
from pmo_monitoring.domain.phrases import Day, phrase
from pmo_monitoring.domain.reasons import Reason, ReasonCode, most_severe_first, worst_rag
from pmo_monitoring.domain.risk_exposure import RiskExposure
from pmo_monitoring.domain.value_records import value_record
from pmo_monitoring.domain.wording import days


@value_record
class UpstreamDependency:
    """A downstream project's dependency item with what is known of its upstream project."""

    title: str
    needed_by: date
    open: bool
    upstream_id: str
    upstream_name: str
    upstream_closed: bool
    upstream_forecast_end: date | None


def slip_days(forecast_end: date | None, needed_by: date) -> int:
    """Days the upstream's forecast end falls after `needed_by` (0 when on time or unknown)."""
    if forecast_end is None:
        return 0
    return max((forecast_end - needed_by).days, 0)


def slip_rag(slip: int, thresholds: Thresholds) -> SignalRag | None:
    """None when on time, amber when late, red beyond the red milestone tolerance."""
    if slip <= 0:
        return None
    return "red" if slip > thresholds.milestone_red_days_late else "amber"


def dependency_reason(dependency: UpstreamDependency, thresholds: Thresholds) -> Reason | None:
    """The reason of one dependency, or None when it puts nothing at risk."""
    if not dependency.open or dependency.upstream_closed:
        return None
    slip = slip_days(dependency.upstream_forecast_end, dependency.needed_by)
    rag = slip_rag(slip, thresholds)
    if rag is None or dependency.upstream_forecast_end is None:
        return None
    red_after = thresholds.milestone_red_days_late
    if rag == "red":
        rule = phrase("red beyond {limit} late", limit=days(red_after))
    else:
        rule = phrase("amber when late, red beyond {limit} late", limit=days(red_after))
    return Reason(
        code=ReasonCode.DEPENDENCY_AT_RISK,
        message=phrase(
            'Project "{upstream}" is forecast to finish on {forecast}, {slip} after '
            '"{title}" needs it (by {needed_by}); {rule}.',
            upstream=dependency.upstream_name,
            forecast=Day(dependency.upstream_forecast_end),
            slip=days(slip),
            title=dependency.title,
            needed_by=Day(dependency.needed_by),
            rule=rule,
        ),
        metric="dependency_slip_days",
        value=float(slip),
        threshold=float(red_after if rag == "red" else 0),
        rag=rag,
    )


def dependency_reasons(
    dependencies: Iterable[UpstreamDependency], thresholds: Thresholds
) -> list[Reason]:
    """One reason per open dependency whose upstream is forecast to finish too late."""
    found = (dependency_reason(dependency, thresholds) for dependency in dependencies)
    return [reason for reason in found if reason is not None]


def with_register(
    assessment: HealthAssessment,
    *,
    dependencies: Iterable[Reason] = (),
    risks: RiskExposure | None = None,
) -> HealthAssessment:
    """The assessment with the register's say: its dependency reasons (which may worsen the
    RAG) and, when given, the risk exposure of its open risks in place of the report's."""
    extra = tuple(dependencies)
    if not extra and risks is None:
        return assessment
    reasons = most_severe_first((*assessment.reasons, *extra))
    return replace(
        assessment,
        rag=worst_rag((assessment.rag, *(reason.rag for reason in extra)), default="unknown"),
        reasons=reasons,
        risks=risks if risks is not None else assessment.risks,
    )


def dependency_example(thresholds: Thresholds, needed_by: date) -> Reason:
    """The glossary's example: an upstream forecast a week beyond the red tolerance late."""
    slip = thresholds.milestone_red_days_late + 7
    example = UpstreamDependency(
        title=phrase("Identity platform live"),
        needed_by=needed_by,
        open=True,
        upstream_id="example-upstream",
        upstream_name=phrase("Identity platform"),
        upstream_closed=False,
        upstream_forecast_end=needed_by + timedelta(days=slip),
    )
    reason = dependency_reason(example, thresholds)
    if reason is None:  # pragma: no cover - a slip beyond the red tolerance is always red
        raise ValueError("the dependency example raises no reason")
    return reason
