"""Reads of status reports the API answers (access checks are the caller's)."""

from __future__ import annotations

from pmo_common.problems import ProblemException
from pmo_common.web.pagination import PageRequest
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db import report_repository as reports
from pmo_monitoring.db import report_revision_repository as revisions
from pmo_monitoring.domain.records import ReportRevision, StoredReport


async def list_reports(
    session: AsyncSession, *, project_id: str, page: PageRequest
) -> list[StoredReport]:
    """A project's reports, newest as_of first, up to page.limit + 1 of them."""
    return await reports.list_reports(session, project_id=project_id, page=page)


async def get_report(session: AsyncSession, *, project_id: str, report_id: str) -> StoredReport:
    """One report of a project, or the 404."""
    report = await reports.get_report(session, project_id=project_id, report_id=report_id)
    if report is None:
        raise ProblemException(
            404,
            "Status report not found",
            f"Project {project_id} has no status report with id {report_id}.",
        )
    return report


async def list_revisions(
    session: AsyncSession, *, project_id: str, report_id: str, page: PageRequest
) -> list[ReportRevision]:
    """The versions of one report of a project, oldest first, or the 404 of the report."""
    report = await get_report(session, project_id=project_id, report_id=report_id)
    return await revisions.list_revisions(session, report_id=report.id, page=page)
