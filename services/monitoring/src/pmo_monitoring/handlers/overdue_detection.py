"""Detecting missed status reports and publishing project.report_overdue once per period."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.events.catalog import REPORT_OVERDUE
from pmo_common.events.payloads import ReportOverdue
from pmo_common.messaging.waiting import run_every
from pmo_common.web.runtime import ServiceRuntime
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pmo_monitoring.config import MonitoringSettings
from pmo_monitoring.db import overdue_claim_repository as overdue_claims
from pmo_monitoring.db import projection_repository as projections
from pmo_monitoring.db import report_repository as reports
from pmo_monitoring.db.outbox import outbox
from pmo_monitoring.domain.reporting_cadence import check_report_overdue
from pmo_monitoring.handlers.health_assessment import thresholds_from, today_utc
from pmo_monitoring.handlers.health_transitions import alert_subject


async def announce_overdue_reports(
    sessions: async_sessionmaker[AsyncSession], *, today: date
) -> int:
    """Publish project.report_overdue for each active project past its cadence plus grace.

    Each missed period of a project is announced once, even with several replicas checking
    at the same moment: a first read finds the candidates, then each is claimed and announced
    in its own unit of work (`announce_if_overdue`). Returns how many this call published.
    """
    async with sessions() as session:
        last_dates = await reports.last_report_dates(session)
        methodologies = await projections.all_methodologies(session)
        candidates = [
            project.id
            for project in await projections.list_projects(session, include_closed=False)
            if check_report_overdue(
                start_date=project.start_date,
                last_report_at=last_dates.get(project.id),
                today=today,
                thresholds=thresholds_from(methodologies.get(project.methodology)).thresholds,
            )
            is not None
        ]
    published = 0
    for project_id in sorted(candidates):
        async with sessions() as session:
            if await announce_if_overdue(session, project_id=project_id, today=today):
                published += 1
    return published


async def announce_if_overdue(session: AsyncSession, *, project_id: str, today: date) -> bool:
    """Claim and announce a project's latest missed period, if it has one not yet announced.

    One unit of work: the project row is locked (PostgreSQL) and judged on fresh reads, so a
    report filed meanwhile is seen; then the claim row is inserted, and only if it was new is
    the event written to the outbox. A replica that loses the race inserts nothing and emits
    nothing.
    """
    async with unit_of_work(session):
        context = await projections.get_project_context(
            session, project_id=project_id, for_update=True
        )
        if context is None or context.project.closed:
            return False
        project = context.project
        overdue = check_report_overdue(
            start_date=project.start_date,
            last_report_at=await reports.last_report_date(session, project_id=project_id),
            today=today,
            thresholds=thresholds_from(context.methodology).thresholds,
        )
        if overdue is None:
            return False
        claimed = await overdue_claims.claim_overdue_period(
            session,
            project_id=project_id,
            period=overdue.period,
            due_date=overdue.due_date,
            published_at=datetime.now(UTC),
        )
        if not claimed:
            return False
        payload = ReportOverdue(
            **alert_subject(project),
            last_report_at=overdue.last_report_at,
            due_date=overdue.due_date,
            days_overdue=overdue.days_overdue,
            period=overdue.period,
        )
        await outbox.enqueue(session, REPORT_OVERDUE, payload, subject=project_id)
        return True


async def report_overdue_job(runtime: ServiceRuntime, stop: asyncio.Event) -> None:
    """Look for missed reports every few minutes until the service stops (0: never)."""
    settings = runtime.settings
    interval = settings.overdue_check_seconds if isinstance(settings, MonitoringSettings) else 300.0
    await run_every(
        stop,
        interval,
        lambda: announce_overdue_reports(runtime.sessions, today=today_utc()),
        what="overdue report check",
        counted="overdue status reports announced",
    )
