"""The versions of status reports: appended as each is filed, read back oldest first."""

from __future__ import annotations

from typing import Any

from pmo_common.db.rows import RowLike, fetch_page, record_from, values_of
from pmo_common.web.pagination import PageRequest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db.report_repository import part_values, parts_from_row
from pmo_monitoring.db.tables import status_report_revisions
from pmo_monitoring.domain.records import ReportRevision, StoredReport

_INSERT_REVISION = insert(status_report_revisions)


def _revision_from_row(row: RowLike) -> ReportRevision:
    return record_from(ReportRevision, row, **parts_from_row(row))


def _revision_values(report: StoredReport) -> dict[str, Any]:
    # The report's id and time of this filing under the revision's names; its creation time
    # is the first revision's filed_at.
    values = values_of(
        report, **part_values(report), report_id=report.id, filed_at=report.updated_at
    )
    for kept_by_the_report in ("id", "created_at", "updated_at"):
        del values[kept_by_the_report]
    return values


async def add_revision(session: AsyncSession, *, report: StoredReport) -> None:
    """Keep the version of `report` just written, under its revision number.

    Called only after the report's own write took (the insert of a new day or the update over
    the revision read), so two racing reports of one day never both get here with the same
    number; if one did, the primary key (report_id, revision) makes it a unique violation,
    which the use case answers with a 409.
    """
    await session.execute(_INSERT_REVISION, _revision_values(report))


async def list_revisions(
    session: AsyncSession, *, report_id: str, page: PageRequest
) -> list[ReportRevision]:
    """A page of a report's versions, oldest (lowest revision) first."""
    query = (
        select(status_report_revisions)
        .where(status_report_revisions.c.report_id == report_id)
        .order_by(status_report_revisions.c.revision)
    )
    return await fetch_page(session, query, _revision_from_row, page)
