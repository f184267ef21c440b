"""Use case of filing a status report: store it, judge it once, publish, in one transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.events.catalog import STATUS_REPORTED
from pmo_common.events.payloads import StatusReported
from pmo_common.problems import ProblemException
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db import health_repository as healths
from pmo_monitoring.db import report_repository as reports
from pmo_monitoring.db import report_revision_repository as revisions
from pmo_monitoring.db.outbox import outbox
from pmo_monitoring.domain.copying import copied, fields_of
from pmo_monitoring.domain.model import StatusReport
from pmo_monitoring.domain.records import (
    MonitoredProject,
    ProjectContext,
    ReportWithPoint,
    StoredReport,
)
from pmo_monitoring.domain.report_acceptance import ReportProblem, check_report_fits_baseline
from pmo_monitoring.domain.report_regression import (
    Correction,
    check_correction,
    check_report_goes_forward,
)
from pmo_monitoring.handlers.health_assessment import (
    TREND_WINDOW,
    ProjectAssessment,
    assess_project,
    earlier_reports,
    judge_report,
    publish_health,
    store_health,
    stored_health,
    thresholds_from,
)
from pmo_monitoring.handlers.health_transitions import published_health
from pmo_monitoring.handlers.raid_dependents import reassess_dependents
from pmo_monitoring.handlers.report_risks import audit_report, with_referenced_risks


@dataclass(frozen=True, slots=True)
class FiledReport:
    """The stored report, whether it replaced an earlier one for its day, and the new health."""

    report: StoredReport
    replaced: bool
    health: ProjectAssessment


def filed_concurrently(project_id: str, as_of: date) -> ProblemException:
    """The 409 for a report that lost a race with another one of its project and day."""
    return ProblemException(
        409,
        "Status report filed concurrently",
        f"Another status report for project {project_id} as of {as_of} was being filed at the "
        "same time, so this one was not stored. Retry: with the same Idempotency-Key the "
        "retry replays the stored answer; without one it replaces that day's report.",
    )


def _refuse(problems: list[ReportProblem]) -> None:
    """The 422 naming each offending field, when there are any."""
    if problems:
        raise ProblemException(
            422,
            "Invalid status report",
            "; ".join(f"{p.field}: {p.reason}" for p in problems),
            errors=[{"field": f"body.{p.field}", "reason": p.reason} for p in problems],
        )


def _refuse_if_not_acceptable(
    project: MonitoredProject, contents: StatusReport, correction: Correction, today: date
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
    _refuse(problems + check_correction(correction))


async def file_status_report(
    session: AsyncSession,
    *,
    context: ProjectContext,
    contents: StatusReport,
    correction: Correction,
    reported_by: str,
    today: date,
    risk_ids: Sequence[str] = (),
) -> FiledReport:
    """Store a report (replacing the one of the same as_of), judge it once and publish.

    The report is judged once: as of its own as_of that is its point of the history, and
    as of today that is the project's health (when it is the newest report), which is stored,
    published as a transition and answered. Publishes project.status_reported and whatever
    the change of RAG calls for; the report, the health and the events commit together.
    The caller holds the project's row locked (`for_update`), so reports on one project are
    serialised and each sees the previous one's RAG. Where the lock does not exist (SQLite)
    the day's report is written first and only over what was read (`ON CONFLICT DO NOTHING`
    for a new day, the revision read for a correction): a concurrent report of the same day
    that got there first makes this one a 409, never a unique violation (a 500).

    A report that goes back on the record (figures down against the report it is judged
    against, or dated before the newest report) is refused with a 422 unless it is a
    `correction`. Every version written is kept as a revision, in the same transaction and
    only once the report's own write took, so racing reports leave revisions 1, 2, ... with
    no gap or duplicate.

    `risk_ids` reference risks of the project's RAID register, snapshotted into the report
    (report_risks). The write is audited (status_report.created / .replaced / .corrected), and
    the projects depending on this one are re-assessed against its new forecast.
    """
    project = context.project
    async with unit_of_work(session):
        _refuse_if_not_acceptable(project, contents, correction, today)
        contents = await with_referenced_risks(
            session, project_id=project.id, contents=contents, risk_ids=risk_ids
        )
        as_of = contents.as_of
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
        if not correction.correction:
            _refuse(
                check_report_goes_forward(
                    contents,
                    previous=existing or (earlier[0].report if earlier else None),
                    replaces=existing is not None,
                    newest=recent[0].report.as_of if recent else None,
                )
            )

        report = _stored(project, contents, existing, correction, reported_by=reported_by)
        try:
            if existing is not None:
                written = await reports.update_report(session, report=report)
            else:
                written = await reports.insert_report(session, report=report)
            if not written:
                raise filed_concurrently(project.id, as_of)
            await revisions.add_revision(session, report=report)
            await audit_report(session, existing=existing, report=report)
            return await _judge_and_publish(
                session,
                context,
                report,
                replaced=existing is not None,
                earlier=earlier,
                newest_before=recent[0].report.as_of if recent else None,
                today=today,
            )
        except IntegrityError as exc:
            # Another writer stored this project's point of the history meanwhile (SQLite has
            # no row lock; the health is an upsert and never conflicts): this transaction is
            # void; a retry sees what that writer stored.
            raise filed_concurrently(project.id, as_of) from exc


async def _judge_and_publish(
    session: AsyncSession,
    context: ProjectContext,
    report: StoredReport,
    *,
    replaced: bool,
    earlier: list[ReportWithPoint],
    newest_before: date | None,
    today: date,
) -> FiledReport:
    """After the stored report: its point of the history, the project's health, the events.

    `project.status_reported` comes first and carries the health the report left the project
    in (for a back-dated report, its newest report's, judged again); then whatever that
    health changed (`publish_health`).
    """
    project = context.project
    in_use = thresholds_from(context.methodology)
    as_of = report.as_of
    judged = await judge_report(
        session, project, report, in_use.thresholds, earlier=earlier, today=today
    )
    point = stored_health(project, report, judged.on_its_date)
    await healths.save_point(session, point=point, replaces=replaced)
    if newest_before is None or newest_before <= as_of:
        health = ProjectAssessment(judged.today, in_use, report)
    else:
        # Back-dated: the project's health is still that of its newest report, judged
        # again now that this one is part of the history before it.
        health = await assess_project(session, context, today=today)
    recorded = await store_health(session, project, health)
    if recorded is None:  # pragma: no cover - the report just stored is there to judge
        raise RuntimeError(f"project {project.id} has no report to judge")
    # The event carries the health the report left, then the report's figures under their
    # own names (the rest is ignored): its as_of is the report's, not the health's.
    reported = StatusReported.model_validate(
        {**published_health(recorded), **fields_of(report), "report_id": report.id}
    )
    await outbox.enqueue(session, STATUS_REPORTED, reported, subject=project.id)
    await publish_health(session, project, health, recorded)
    await reassess_dependents(session, upstream_id=project.id, today=today)
    return FiledReport(report=report, replaced=replaced, health=health)


def _stored(
    project: MonitoredProject,
    contents: StatusReport,
    existing: StoredReport | None,
    correction: Correction,
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
        correction=correction.correction,
        correction_note=correction.note.strip() if correction.note else None,
    )
