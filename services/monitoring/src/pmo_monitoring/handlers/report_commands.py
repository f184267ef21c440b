"""Use case of filing a status report: store it, judge it once, publish, in one transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.events.catalog import STATUS_REPORTED
from pmo_common.events.payloads import StatusReported
from pmo_common.problems import ProblemException
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db import health_repository as healths
from pmo_monitoring.db import report_repository as reports
from pmo_monitoring.db.outbox import outbox
from pmo_monitoring.domain.copying import copied, fields_of
from pmo_monitoring.domain.model import StatusReport
from pmo_monitoring.domain.records import MonitoredProject, ProjectContext, StoredReport
from pmo_monitoring.domain.report_acceptance import check_report_fits_baseline
from pmo_monitoring.handlers.health_assessment import (
    TREND_WINDOW,
    ProjectAssessment,
    assess_project,
    earlier_reports,
    history_point,
    judge_report,
    record_health,
    thresholds_from,
)


@dataclass(frozen=True, slots=True)
class FiledReport:
    """The stored report, whether it replaced an earlier one for its day, and the new health."""

    report: StoredReport
    replaced: bool
    health: ProjectAssessment


def _refuse_if_not_acceptable(
    project: MonitoredProject, contents: StatusReport, today: date
) -> None:
    if project.closed:
        raise ProblemException(
            409,
            "Project closed",
            f"Project {project.id} is closed, so monitoring accepts no more status reports for it.",
        )
    problems = check_report_fits_baseline(
        project.baseline(),
        as_of=contents.as_of,
        milestone_names=[milestone.name for milestone in contents.milestones],
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
    *,
    context: ProjectContext,
    contents: StatusReport,
    reported_by: str,
    today: date,
) -> FiledReport:
    """Store a report (replacing the one of the same as_of), judge it once and publish.

    The report is judged once: as of its own as_of that is its point of the history, and
    as of today that is the project's health (when it is the newest report), which is stored,
    published as a transition and answered. Publishes project.status_reported and whatever
    the change of RAG calls for; the report, the health and the events commit together.
    The caller holds the project's row locked (`for_update`), so reports on one project are
    serialised and each sees the previous one's RAG.
    """
    project = context.project
    async with unit_of_work(session):
        _refuse_if_not_acceptable(project, contents, today)
        as_of = contents.as_of
        in_use = thresholds_from(context.methodology)
        # The newest reports hold the same day's report and the history before it, unless
        # this report is back-dated behind them.
        limit = TREND_WINDOW + 1
        recent = await reports.latest_reports(session, project_id=project.id, limit=limit)
        fetched_all = len(recent) < limit
        existing = next((item.report for item in recent if item.report.as_of == as_of), None)
        if existing is None and not fetched_all and as_of < recent[-1].report.as_of:
            existing = await reports.report_for_day(session, project_id=project.id, as_of=as_of)
        earlier = earlier_reports(recent, as_of, fetched_all=fetched_all)
        if earlier is None:
            earlier = await reports.latest_reports(
                session, project_id=project.id, limit=TREND_WINDOW, before=as_of
            )

        report = _stored(project, contents, existing, reported_by=reported_by)
        if existing is not None:
            await reports.update_report(session, report=report)
        else:
            await reports.insert_report(session, report=report)
        # The event carries the report's figures under their own names (the rest is ignored).
        reported = StatusReported.model_validate({**fields_of(report), "report_id": report.id})
        await outbox.enqueue(session, STATUS_REPORTED, reported, subject=project.id)

        judged = await judge_report(
            session, project, report, in_use.thresholds, earlier=earlier, today=today
        )
        point = history_point(project, report, judged.on_its_date)
        await healths.save_point(session, point=point, replaces=existing is not None)
        if not recent or recent[0].report.as_of <= as_of:
            health = ProjectAssessment(judged.today, in_use, report)
        else:
            # Back-dated: the project's health is still that of its newest report, judged
            # again now that this one is part of the history before it.
            health = await assess_project(session, context, today=today)
        await record_health(session, project, health)
    return FiledReport(report=report, replaced=existing is not None, health=health)


def _stored(
    project: MonitoredProject,
    contents: StatusReport,
    existing: StoredReport | None,
    *,
    reported_by: str,
) -> StoredReport:
    """The report to store; a correction of the same day keeps the id, so links and alerts
    citing it remain valid, and counts one more revision."""
    now = datetime.now(UTC)
    return copied(
        StoredReport,
        contents,
        id=existing.id if existing is not None else str(uuid.uuid4()),
        project_id=project.id,
        reported_by=reported_by,
        revision=existing.revision + 1 if existing is not None else 1,
        created_at=existing.created_at if existing is not None else now,
        updated_at=now,
    )
