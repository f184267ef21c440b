"""Read models of health: one project's and its history (the roll-up: portfolio_queries)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from pmo_common.web.pagination import PageRequest
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db import report_repository as reports
from pmo_monitoring.domain.health_rules import assess_health
from pmo_monitoring.domain.records import (
    ProjectContext,
    metrics_record,
    reason_records,
)
from pmo_monitoring.domain.reporting_cadence import NO_NEXT_REPORT_DUE, next_report_due
from pmo_monitoring.handlers.health_assessment import (
    ProjectAssessment,
    assess_project,
    thresholds_from,
)
from pmo_monitoring.handlers.health_details import health_details
from pmo_monitoring.languages import spoken_languages


async def project_health(
    session: AsyncSession, context: ProjectContext, *, today: date
) -> dict[str, Any]:
    """A project's health as of today, assessed from its latest report."""
    return health_view(context, await assess_project(session, context, today=today))


def health_view(context: ProjectContext, judged: ProjectAssessment) -> dict[str, Any]:
    """The health answer of an assessment (GET /v1/projects/{id}/health, and a filed report's)."""
    project = context.project
    assessment, in_use, latest = judged.assessment, judged.thresholds, judged.latest_report
    last_report_at = latest.as_of if latest is not None else None
    due = next_report_due(
        start_date=project.start_date, last_report_at=last_report_at, thresholds=in_use.thresholds
    )
    notes = [*assessment.notes, *([NO_NEXT_REPORT_DUE] if due is None else [])]
    return {
        "project_id": project.id,
        "project_name": project.name,
        "status": project.status,
        "methodology": project.methodology,
        "currency": project.currency,
        "rag": assessment.rag,
        "at_risk": assessment.at_risk,
        "metrics": metrics_record(assessment.metrics),
        "reasons": reason_records(assessment.reasons, spoken_languages()),
        "notes": notes,
        "as_of": assessment.as_of,
        "last_report_at": last_report_at,
        "last_report_id": latest.id if latest is not None else None,
        "next_report_due": due,
        "thresholds": asdict(in_use.thresholds),
        "thresholds_source": in_use.source,
        "methodology_version": in_use.methodology_version,
        # Today's health is judged against the baseline in force.
        "baseline_version": project.baseline_version,
        # The verdict's fields as answered; its project_id is the answer's own already.
        "compliance": asdict(context.compliance) if context.compliance is not None else None,
        **health_details(assessment, project.end_date),
    }


HISTORY_METRICS = ("pv", "ev", "ac", "bac", "cpi", "spi", "spi_t", "eac", "vac", "tcpi")


async def health_history(
    session: AsyncSession,
    context: ProjectContext,
    *,
    since: date | None,
    until: date | None,
    page: PageRequest,
) -> list[dict[str, Any]]:
    """One point per report in [since, until], oldest first, up to page.limit + 1 of them.

    Points come from the one stored when each report was filed (its health as of its own
    date). A report filed before points were kept has none; it is judged on read, the same
    way, against the current baseline and thresholds.
    """
    project = context.project
    rows = await reports.reports_with_points(
        session,
        project_id=project.id,
        since=since,
        until=until,
        page=page,
    )
    points: list[dict[str, Any]] = []
    for item in rows:
        report = item.report
        if item.point is not None:
            # As stored when the report was filed: a later re-baseline does not change it.
            rag, metrics = item.point.rag, item.point.metrics
            baseline_version = item.point.baseline_version
        else:
            thresholds = thresholds_from(context.methodology).thresholds
            as_of = report.as_of
            assessment = assess_health(
                project.baseline(), report.contents, thresholds, as_of, as_of
            )
            rag, metrics = assessment.rag, metrics_record(assessment.metrics)
            baseline_version = project.baseline_version
        points.append(
            {
                "as_of": report.as_of,
                "report_id": report.id,
                "rag": rag,
                **{name: metrics.get(name) for name in HISTORY_METRICS},
                "forecast_end_date": metrics.get("forecast_end_date"),
                "baseline_version": baseline_version,
            }
        )
    return points
