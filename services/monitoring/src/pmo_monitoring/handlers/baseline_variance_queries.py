"""The read model of GET /v1/projects/{id}/baseline-variance: the original baseline, the one in
force and the forecast of today's health, compared (domain/baseline_variance.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db import baseline_repository as baselines
from pmo_monitoring.domain.baseline_variance import (
    AmountVariance,
    BaselinePlan,
    DateVariance,
    baseline_variance,
)
from pmo_monitoring.domain.earned_value import METRIC_DECIMALS
from pmo_monitoring.domain.records import ProjectContext
from pmo_monitoring.handlers.health_assessment import assess_project


def _amount(variance: AmountVariance) -> dict[str, Any]:
    return {
        "original": variance.original,
        "current": variance.current,
        "forecast": variance.forecast,
        "current_vs_original": variance.current_vs_original,
        "forecast_vs_current": variance.forecast_vs_current,
        "forecast_vs_original": variance.forecast_vs_original,
    }


def _dates(variance: DateVariance) -> dict[str, Any]:
    return {
        "original": variance.original,
        "current": variance.current,
        "forecast": variance.forecast,
        "current_vs_original_days": variance.current_vs_original_days,
        "forecast_vs_current_days": variance.forecast_vs_current_days,
        "forecast_vs_original_days": variance.forecast_vs_original_days,
    }


async def project_baseline_variance(
    session: AsyncSession, context: ProjectContext, *, today: date
) -> dict[str, Any]:
    """The comparison for one project as of today. The forecast is that of the health GET
    /v1/projects/{id}/health answers now (the latest report judged against the baseline in
    force); the original is the oldest version heard of (the baseline in force when none
    older is known)."""
    project = context.project
    current = BaselinePlan(
        project.baseline_version, project.budget, project.end_date, project.milestones
    )
    first = await baselines.earliest_version(session, project_id=project.id)
    original = (
        BaselinePlan(first.version, first.budget, first.end_date, first.milestones)
        if first is not None and first.version < current.version
        else current
    )
    judged = await assess_project(session, context, today=today)
    metrics, slippage = judged.assessment.metrics, judged.assessment.milestones
    eac = metrics.eac if metrics is not None else None
    variance = baseline_variance(
        original,
        current,
        forecast_budget=round(eac, METRIC_DECIMALS) if eac is not None else None,
        forecast_end=metrics.forecast_end_date if metrics is not None else None,
        milestone_forecasts={
            slip.name: slip.forecast_date
            for slip in (slippage.milestones if slippage is not None else ())
            if slip.forecast_date is not None
        },
    )
    latest = judged.latest_report
    return {
        "project_id": project.id,
        "project_name": project.name,
        "currency": project.currency,
        "as_of": judged.assessment.as_of,
        "last_report_at": latest.as_of if latest is not None else None,
        "last_report_id": latest.id if latest is not None else None,
        "original_version": variance.original_version,
        "current_version": variance.current_version,
        "budget": _amount(variance.budget),
        "end_date": _dates(variance.end_date),
        "milestones": [
            {"name": milestone.name, **_dates(milestone.due)} for milestone in variance.milestones
        ],
    }
