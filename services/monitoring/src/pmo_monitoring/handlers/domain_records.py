"""Conversions between stored rows and the domain's records, in both directions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, cast

from pmo_monitoring.domain.earned_value import METRIC_DECIMALS, EarnedValueMetrics
from pmo_monitoring.domain.model import (
    BaselineMilestone,
    MilestoneStatus,
    PlannedValuePoint,
    ProjectBaseline,
    Rag,
    Risk,
    StatusReport,
)
from pmo_monitoring.domain.reasons import Reason


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def baseline_from(project: Mapping[str, Any]) -> ProjectBaseline:
    """The domain baseline of a projected project row."""
    return ProjectBaseline(
        project_id=project["id"],
        name=project["name"],
        start_date=project["start_date"],
        end_date=project["end_date"],
        budget=project["budget"],
        milestones=tuple(
            BaselineMilestone(name=m["name"], due_date=_as_date(m["due_date"]))
            for m in project["milestones"]
        ),
        methodology=project["methodology"],
        manager=project["manager"],
        sponsor=project["sponsor"],
        portfolio_id=project["portfolio_id"],
        program_id=project["program_id"],
        currency=project["currency"],
        planned_value_profile=tuple(
            PlannedValuePoint(on=_as_date(point["date"]), percent=point["percent"])
            for point in project.get("planned_value_profile") or ()
        ),
    )


def report_from(report: Mapping[str, Any]) -> StatusReport:
    """The domain status report of a stored report row."""
    return StatusReport(
        as_of=report["as_of"],
        percent_complete=report["percent_complete"],
        actual_cost=report["actual_cost"],
        milestones=tuple(
            MilestoneStatus(
                name=m["name"],
                status=m["status"],
                forecast_date=_as_date(m["forecast_date"]) if m.get("forecast_date") else None,
            )
            for m in report["milestones"]
        ),
        risks=tuple(
            Risk(title=r["title"], probability=r["probability"], impact=r["impact"])
            for r in report["risks"]
        ),
        manager_rag=report["manager_rag"],
        summary=report["summary"],
    )


_RAGS = frozenset({"green", "amber", "red", "unknown"})


def rag_from(value: object) -> Rag:
    """A stored RAG column as the domain's type (ValueError for anything else)."""
    if value not in _RAGS:
        raise ValueError(f"not a RAG: {value!r}")
    return cast(Rag, value)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, METRIC_DECIMALS)


def reason_record(reason: Reason) -> dict[str, Any]:
    """A reason as stored and answered: the event's fields plus the signal's own rag."""
    return {
        "code": str(reason.code),
        "message": reason.message,
        "metric": reason.metric,
        "value": _rounded(reason.value),
        "threshold": _rounded(reason.threshold),
        "rag": reason.rag,
    }


def metrics_record(metrics: EarnedValueMetrics | None) -> dict[str, Any]:
    """Metrics as stored (JSON-ready, rounded); empty before the first report."""
    if metrics is None:
        return {}
    record: dict[str, Any] = dict(metrics.rounded())
    forecast = record.get("forecast_end_date")
    record["forecast_end_date"] = forecast.isoformat() if isinstance(forecast, date) else None
    return record
