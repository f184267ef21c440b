"""Use case of filing a status report: store it, re-assess health, publish, in one transaction."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from pmo_common.events.payloads import StatusReported
from pmo_common.problems import ProblemException
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db import report_repository as reports
from pmo_monitoring.domain.report_acceptance import check_report_fits_baseline
from pmo_monitoring.handlers.domain_records import baseline_from
from pmo_monitoring.handlers.event_publishing import EventEmitter
from pmo_monitoring.handlers.health_assessment import (
    ProjectAssessment,
    reassess_and_publish,
    record_report_snapshot,
)

REPORT_FIELDS = (
    "as_of",
    "percent_complete",
    "actual_cost",
    "milestones",
    "risks",
    "manager_rag",
    "summary",
)


@dataclass(frozen=True, slots=True)
class FiledReport:
    """The stored report, whether it replaced an earlier one for its day, and the new health."""

    report: dict[str, Any]
    replaced: bool
    judged: ProjectAssessment


def _refuse_if_not_acceptable(
    project: Mapping[str, Any], fields: Mapping[str, Any], today: date
) -> None:
    if project["status"] == "closed":
        raise ProblemException(
            409,
            "Project closed",
            f"Project {project['id']} is closed, so monitoring accepts no more status "
            "reports for it.",
        )
    problems = check_report_fits_baseline(
        baseline_from(project),
        as_of=fields["as_of"],
        milestone_names=[milestone["name"] for milestone in fields["milestones"]],
        today=today,
    )
    if problems:
        raise ProblemException(
            422,
            "Invalid status report",
            "; ".join(f"{p.field}: {p.reason}" for p in problems),
            errors=[{"field": f"body.{p.field}", "reason": p.reason} for p in problems],
        )


async def file_status_report(
    session: AsyncSession,
    emit: EventEmitter,
    *,
    project: Mapping[str, Any],
    fields: Mapping[str, Any],
    reported_by: str,
    today: date,
) -> FiledReport:
    """Store a report (replacing the one of the same as_of), re-assess and publish.

    Publishes project.status_reported and whatever the change of RAG calls for; the caller
    commits, so the report, the stored health and the events land together or not at all.
    """
    _refuse_if_not_acceptable(project, fields, today)
    now = datetime.now(UTC)
    contents = {name: fields[name] for name in REPORT_FIELDS}
    existing = await reports.report_for_day(session, project["id"], fields["as_of"])
    if existing is not None:
        # Same day, same report: the id stays, so links and alerts citing it remain valid.
        report = {
            **existing,
            **contents,
            "reported_by": reported_by,
            "revision": existing["revision"] + 1,
            "updated_at": now,
        }
        await reports.update_report(
            session,
            existing["id"],
            {k: report[k] for k in (*REPORT_FIELDS, "reported_by", "revision", "updated_at")},
        )
    else:
        report = {
            **contents,
            "id": str(uuid.uuid4()),
            "project_id": project["id"],
            "reported_by": reported_by,
            "revision": 1,
            "created_at": now,
            "updated_at": now,
        }
        await reports.insert_report(session, report)
    reported = StatusReported(
        project_id=project["id"],
        report_id=report["id"],
        as_of=report["as_of"],
        percent_complete=report["percent_complete"],
        actual_cost=report["actual_cost"],
        manager_rag=report["manager_rag"],
    )
    await emit(session, "project.status_reported", reported, subject=project["id"])
    await record_report_snapshot(session, project, report)
    judged = await reassess_and_publish(session, emit, project, today=today)
    if judged is None:  # pragma: no cover - the report was just stored
        raise RuntimeError("a stored report was not found again")
    return FiledReport(report=report, replaced=existing is not None, judged=judged)
