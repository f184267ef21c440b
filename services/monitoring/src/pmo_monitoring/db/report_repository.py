"""Reads and writes of status reports (with their stored points of the health history)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from pmo_common.db.rows import (
    RowLike,
    fetch_all,
    fetch_one,
    fetch_page,
    record_from,
    values_of,
)
from pmo_common.web.pagination import PageRequest
from sqlalchemy import (
    ColumnElement,
    Integer,
    RowMapping,
    Select,
    Table,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db.health_repository import point_from_row
from pmo_monitoring.db.tables import health_snapshots, status_reports
from pmo_monitoring.domain.model import MilestoneStatus, Risk
from pmo_monitoring.domain.records import ReportWithPoint, StoredReport, as_date


def report_from_row(row: RowLike) -> StoredReport:
    """The record of a `status_reports` row."""
    return record_from(StoredReport, row, **parts_from_row(row))


def parts_from_row(row: RowLike) -> dict[str, Any]:
    """A report row's milestones and risks as records (status_reports and its revisions)."""
    return {
        "milestones": tuple(
            MilestoneStatus(
                name=m["name"],
                status=m["status"],
                forecast_date=as_date(m["forecast_date"]) if m.get("forecast_date") else None,
            )
            for m in row["milestones"]
        ),
        "risks": tuple(
            Risk(title=r["title"], probability=r["probability"], impact=r["impact"])
            for r in row["risks"]
        ),
    }


def part_values(report: StoredReport) -> dict[str, Any]:
    """A report's milestones and risks as the JSON columns store them."""
    return {
        "milestones": [
            {
                "name": m.name,
                "status": m.status,
                "forecast_date": m.forecast_date.isoformat() if m.forecast_date else None,
            }
            for m in report.milestones
        ],
        "risks": [
            {"title": r.title, "probability": r.probability, "impact": r.impact}
            for r in report.risks
        ],
    }


def _report_values(report: StoredReport) -> dict[str, Any]:
    return values_of(report, **part_values(report))


async def get_report(
    session: AsyncSession, *, project_id: str, report_id: str
) -> StoredReport | None:
    """One report of a project, or None."""
    return await _one_report(session, project_id, status_reports.c.id == report_id)


async def report_for_day(
    session: AsyncSession, *, project_id: str, as_of: date
) -> StoredReport | None:
    """The report of a project for one as_of date, or None."""
    return await _one_report(session, project_id, status_reports.c.as_of == as_of)


async def _one_report(
    session: AsyncSession, project_id: str, which: ColumnElement[bool]
) -> StoredReport | None:
    query = select(status_reports).where(status_reports.c.project_id == project_id, which)
    return await fetch_one(session, query, report_from_row)


_POINT_COLUMNS = {f"point_{c.name}": c for c in health_snapshots.columns}


def _with_points() -> Select[Any]:
    return select(
        status_reports, *(column.label(label) for label, column in _POINT_COLUMNS.items())
    ).select_from(
        status_reports.outerjoin(
            health_snapshots, health_snapshots.c.report_id == status_reports.c.id
        )
    )


def _report_with_point(row: RowMapping) -> ReportWithPoint:
    point = None
    if row["point_report_id"] is not None:
        point = point_from_row(
            {label.removeprefix("point_"): row[label] for label in _POINT_COLUMNS}
        )
    return ReportWithPoint(report=report_from_row(row), point=point)


def _newest_first(*conditions: ColumnElement[bool]) -> Select[Any]:
    return (
        _with_points()
        .where(status_reports.c.project_id == bindparam("project_id"), *conditions)
        .order_by(status_reports.c.as_of.desc())
        .limit(bindparam("limit", type_=Integer))
    )


# Read on every report filed: built once, only the bound values change (rows.py).
_LATEST = _newest_first()
_LATEST_BEFORE = _newest_first(status_reports.c.as_of < bindparam("before"))


async def latest_reports(
    session: AsyncSession, *, project_id: str, limit: int, before: date | None = None
) -> list[ReportWithPoint]:
    """Up to `limit` reports of a project (dated before `before`), newest first, with points."""
    params = {"project_id": project_id, "limit": limit}
    if before is None:
        return await fetch_all(session, _LATEST, _report_with_point, params)
    return await fetch_all(
        session, _LATEST_BEFORE, _report_with_point, {**params, "before": before}
    )


async def reports_with_points(
    session: AsyncSession,
    *,
    project_id: str,
    since: date | None,
    until: date | None,
    page: PageRequest,
) -> list[ReportWithPoint]:
    """A page of a project's reports in [since, until], oldest first, each with its point."""
    query = _with_points().where(status_reports.c.project_id == project_id)
    if since is not None:
        query = query.where(status_reports.c.as_of >= since)
    if until is not None:
        query = query.where(status_reports.c.as_of <= until)
    query = query.order_by(status_reports.c.as_of)
    return await fetch_page(session, query, _report_with_point, page)


async def list_reports(
    session: AsyncSession, *, project_id: str, page: PageRequest
) -> list[StoredReport]:
    """A page of a project's reports, newest as_of first."""
    query = (
        select(status_reports)
        .where(status_reports.c.project_id == project_id)
        .order_by(status_reports.c.as_of.desc())
    )
    return await fetch_page(session, query, report_from_row, page)


def _insert_report(insert_: Callable[[Table], Any]) -> Any:
    return (
        insert_(status_reports)
        .on_conflict_do_nothing(
            index_elements=[status_reports.c.project_id, status_reports.c.as_of]
        )
        .returning(status_reports.c.id)
    )


_INSERT_REPORT = {
    "postgresql": _insert_report(postgresql_insert),
    "sqlite": _insert_report(sqlite_insert),
}
# A correction: only over the revision it was read at (bound names apart from the columns set).
_UPDATE_REPORT = update(status_reports).where(
    status_reports.c.id == bindparam("report_id"),
    status_reports.c.revision == bindparam("read_revision"),
)
_KEPT_BY_CORRECTIONS = ("id", "project_id", "created_at")


async def insert_report(session: AsyncSession, *, report: StoredReport) -> bool:
    """Add a report; False (and nothing written) when its project already has one that day.

    `INSERT ... ON CONFLICT (project_id, as_of) DO NOTHING` on PostgreSQL and SQLite: a
    concurrent writer that stored the day's report first makes this insert nothing (on
    PostgreSQL after waiting for that writer's transaction), never a unique violation.
    """
    values = _report_values(report)
    statement = _INSERT_REPORT.get(session.get_bind().dialect.name)
    if statement is None:  # pragma: no cover - the two supported databases have their own
        await session.execute(insert(status_reports), values)
        return True
    stored = await session.scalar(statement, values)
    return stored is not None


async def update_report(session: AsyncSession, *, report: StoredReport) -> bool:
    """Replace a report's contents (its id, project and creation time stay).

    Only over the revision before it (`report.revision - 1`): False, and nothing written,
    when a concurrent writer replaced the report since it was read.
    """
    changed = {
        name: value
        for name, value in _report_values(report).items()
        if name not in _KEPT_BY_CORRECTIONS
    }
    result = await session.execute(
        _UPDATE_REPORT,
        {**changed, "report_id": report.id, "read_revision": report.revision - 1},
    )
    return _rowcount(result) == 1


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


async def last_report_date(session: AsyncSession, *, project_id: str) -> date | None:
    """The newest as_of of a project's reports, or None before its first."""
    as_of: date | None = await session.scalar(
        select(func.max(status_reports.c.as_of)).where(status_reports.c.project_id == project_id)
    )
    return as_of


async def last_report_dates(session: AsyncSession) -> dict[str, date]:
    """The newest as_of of every project that has reported, by project id."""
    rows = (
        await session.execute(
            select(status_reports.c.project_id, func.max(status_reports.c.as_of)).group_by(
                status_reports.c.project_id
            )
        )
    ).all()
    return {project_id: as_of for project_id, as_of in rows}
