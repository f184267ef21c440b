"""Detecting missed status reports and publishing project.report_overdue once per period."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, date, datetime

from pmo_common.events.payloads import ReportOverdue
from pmo_common.messaging.waiting import sleep_or_stop
from pmo_common.web.runtime import ServiceRuntime
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.config import MonitoringSettings
from pmo_monitoring.db import projection_repository as projections
from pmo_monitoring.db import report_repository as reports
from pmo_monitoring.domain.reporting_cadence import check_report_overdue
from pmo_monitoring.handlers.event_publishing import EventEmitter
from pmo_monitoring.handlers.health_assessment import thresholds_from, today_utc

log = logging.getLogger(__name__)
REPORT_OVERDUE = "project.report_overdue"


async def announce_overdue_reports(
    session: AsyncSession, emit: EventEmitter, *, today: date
) -> int:
    """Publish project.report_overdue for each active project past its cadence plus grace.

    Each missed period is announced once: the period index is remembered per project, and
    the next announcement comes only when a later period is missed too. Returns how many
    were published; the caller commits.
    """
    last_dates = await reports.last_report_dates(session)
    methodologies = await projections.all_methodologies(session)
    published = 0
    for project in await projections.list_projects(session, include_closed=False):
        overdue = check_report_overdue(
            start_date=project["start_date"],
            last_report_at=last_dates.get(project["id"]),
            today=today,
            thresholds=thresholds_from(methodologies.get(project["methodology"])).thresholds,
        )
        if overdue is None:
            continue
        announced = await reports.overdue_period_published(session, project["id"])
        if announced == overdue.period:
            continue
        payload = ReportOverdue(
            project_id=project["id"],
            project_name=project["name"],
            manager=project["manager"],
            sponsor=project["sponsor"],
            portfolio_id=project["portfolio_id"],
            last_report_at=overdue.last_report_at,
            due_date=overdue.due_date,
            days_overdue=overdue.days_overdue,
            period=overdue.period,
        )
        await emit(session, REPORT_OVERDUE, payload, subject=project["id"])
        await reports.save_overdue_notice(
            session,
            {
                "project_id": project["id"],
                "period": overdue.period,
                "due_date": overdue.due_date,
                "published_at": datetime.now(UTC),
            },
            exists=announced is not None,
        )
        published += 1
    return published


async def report_overdue_job(runtime: ServiceRuntime, stop: asyncio.Event) -> None:
    """Look for missed reports every few minutes until the service stops."""
    settings = runtime.settings
    interval = settings.overdue_check_seconds if isinstance(settings, MonitoringSettings) else 300.0
    while not stop.is_set():
        try:
            async with runtime.sessions() as session:
                count = await announce_overdue_reports(session, runtime.emit, today=today_utc())
                await session.commit()
            if count:
                log.info("announced %d overdue status reports", count)
        except Exception:
            # A failed pass is retried on the next tick; nothing was committed.
            log.exception("overdue report check failed")
        await sleep_or_stop(stop, interval)
