"""Reads and writes of status reports and the stored health of each project."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db.tables import overdue_notices, project_health, status_reports


async def get_report(
    session: AsyncSession, project_id: str, report_id: str
) -> dict[str, Any] | None:
    """One report of a project, or None."""
    row = (
        await session.execute(
            select(status_reports).where(
                status_reports.c.project_id == project_id, status_reports.c.id == report_id
            )
        )
    ).first()
    return dict(row._mapping) if row is not None else None


async def report_for_day(
    session: AsyncSession, project_id: str, as_of: Any
) -> dict[str, Any] | None:
    """The report of a project for one as_of date, or None."""
    row = (
        await session.execute(
            select(status_reports).where(
                status_reports.c.project_id == project_id, status_reports.c.as_of == as_of
            )
        )
    ).first()
    return dict(row._mapping) if row is not None else None


async def latest_report(session: AsyncSession, project_id: str) -> dict[str, Any] | None:
    """The report with the newest as_of of a project, or None."""
    row = (
        await session.execute(
            select(status_reports)
            .where(status_reports.c.project_id == project_id)
            .order_by(status_reports.c.as_of.desc())
            .limit(1)
        )
    ).first()
    return dict(row._mapping) if row is not None else None


async def list_reports(
    session: AsyncSession, project_id: str, *, limit: int, offset: int
) -> list[dict[str, Any]]:
    """A project's reports, newest as_of first."""
    query = (
        select(status_reports)
        .where(status_reports.c.project_id == project_id)
        .order_by(status_reports.c.as_of.desc())
        .limit(limit)
        .offset(offset)
    )
    return [dict(row._mapping) for row in (await session.execute(query)).all()]


async def insert_report(session: AsyncSession, values: Mapping[str, Any]) -> None:
    """Add a report."""
    await session.execute(insert(status_reports).values(**values))


async def update_report(session: AsyncSession, report_id: str, values: Mapping[str, Any]) -> None:
    """Replace a report's contents."""
    await session.execute(
        update(status_reports).where(status_reports.c.id == report_id).values(**values)
    )


async def get_health(session: AsyncSession, project_id: str) -> dict[str, Any] | None:
    """The stored health of a project, or None before its first report."""
    row = (
        await session.execute(
            select(project_health).where(project_health.c.project_id == project_id)
        )
    ).first()
    return dict(row._mapping) if row is not None else None


async def healths_of(
    session: AsyncSession, project_ids: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """The stored health of each of the given projects that has one, by project id."""
    found: dict[str, dict[str, Any]] = {}
    # Chunked so the IN list stays well under every database's parameter limit.
    for start in range(0, len(project_ids), 500):
        chunk = project_ids[start : start + 500]
        rows = (
            await session.execute(
                select(project_health).where(project_health.c.project_id.in_(chunk))
            )
        ).all()
        found.update({row.project_id: dict(row._mapping) for row in rows})
    return found


async def save_health(session: AsyncSession, values: Mapping[str, Any], *, exists: bool) -> None:
    """Insert or replace a project's stored health."""
    if exists:
        await session.execute(
            update(project_health)
            .where(project_health.c.project_id == values["project_id"])
            .values(**values)
        )
    else:
        await session.execute(insert(project_health).values(**values))


async def last_report_dates(session: AsyncSession) -> dict[str, Any]:
    """The newest as_of of every project that has reported, by project id."""
    rows = (
        await session.execute(
            select(status_reports.c.project_id, func.max(status_reports.c.as_of)).group_by(
                status_reports.c.project_id
            )
        )
    ).all()
    return {project_id: as_of for project_id, as_of in rows}


async def overdue_period_published(session: AsyncSession, project_id: str) -> int | None:
    """The last missed period announced for a project (locked until commit), or None."""
    return await session.scalar(
        select(overdue_notices.c.period)
        .where(overdue_notices.c.project_id == project_id)
        .with_for_update()
    )


async def save_overdue_notice(
    session: AsyncSession, values: Mapping[str, Any], *, exists: bool
) -> None:
    """Remember the missed period just announced."""
    if exists:
        await session.execute(
            update(overdue_notices)
            .where(overdue_notices.c.project_id == values["project_id"])
            .values(**values)
        )
    else:
        await session.execute(insert(overdue_notices).values(**values))
