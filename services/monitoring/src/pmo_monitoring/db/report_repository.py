"""Reads and writes of status reports and the stored health of each project."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db.tables import (
    health_snapshots,
    overdue_announcements,
    project_health,
    status_reports,
)


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


async def reports_before(
    session: AsyncSession, project_id: str, as_of: date, *, limit: int
) -> list[dict[str, Any]]:
    """Up to `limit` reports of a project dated before `as_of`, the newest of them, oldest first."""
    rows = (
        await session.execute(
            select(status_reports)
            .where(status_reports.c.project_id == project_id, status_reports.c.as_of < as_of)
            .order_by(status_reports.c.as_of.desc())
            .limit(limit)
        )
    ).all()
    return [dict(row._mapping) for row in reversed(rows)]


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


async def claim_overdue_period(session: AsyncSession, values: Mapping[str, Any]) -> bool:
    """Record that a project's missed period is being announced; False if it already was.

    The (project_id, period) primary key decides: on PostgreSQL and SQLite the insert is
    `ON CONFLICT DO NOTHING`, so a concurrent claimer waits for the first one's transaction
    and then inserts nothing. Only the caller that claimed may emit, in the same transaction.
    """
    dialect = session.get_bind().dialect.name
    keys = [overdue_announcements.c.project_id, overdue_announcements.c.period]
    if dialect in ("postgresql", "sqlite"):
        insert_ = postgresql_insert if dialect == "postgresql" else sqlite_insert
        result = await session.execute(
            insert_(overdue_announcements)
            .values(**values)
            .on_conflict_do_nothing(index_elements=keys)
        )
        return _rowcount(result) == 1
    try:  # pragma: no cover - other databases: a savepoint absorbs the duplicate
        async with session.begin_nested():
            await session.execute(insert(overdue_announcements).values(**values))
    except IntegrityError:  # pragma: no cover
        return False
    return True  # pragma: no cover


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


async def announced_periods(session: AsyncSession, project_id: str) -> list[int]:
    """The missed periods announced for a project, oldest first."""
    rows = await session.scalars(
        select(overdue_announcements.c.period)
        .where(overdue_announcements.c.project_id == project_id)
        .order_by(overdue_announcements.c.period)
    )
    return list(rows)


async def save_snapshot(session: AsyncSession, values: Mapping[str, Any]) -> None:
    """Store (or replace, for a corrected report) the health a report was judged at."""
    await session.execute(
        delete(health_snapshots).where(
            health_snapshots.c.project_id == values["project_id"],
            health_snapshots.c.as_of == values["as_of"],
        )
    )
    await session.execute(insert(health_snapshots).values(**values))


async def snapshot_before(
    session: AsyncSession, project_id: str, as_of: date
) -> dict[str, Any] | None:
    """The stored snapshot of the report just before `as_of`, or None."""
    row = (
        await session.execute(
            select(health_snapshots)
            .where(health_snapshots.c.project_id == project_id, health_snapshots.c.as_of < as_of)
            .order_by(health_snapshots.c.as_of.desc())
            .limit(1)
        )
    ).first()
    return dict(row._mapping) if row is not None else None


async def reports_with_snapshots(
    session: AsyncSession,
    project_id: str,
    *,
    since: date | None,
    until: date | None,
    limit: int,
    offset: int,
) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    """A project's reports in [since, until], oldest first, each with its snapshot (or None)."""
    snapshot_columns = [
        health_snapshots.c.rag.label("snapshot_rag"),
        health_snapshots.c.reasons.label("snapshot_reasons"),
        health_snapshots.c.metrics.label("snapshot_metrics"),
        health_snapshots.c.assessed_at.label("snapshot_assessed_at"),
        health_snapshots.c.report_id.label("snapshot_report_id"),
    ]
    query = (
        select(status_reports, *snapshot_columns)
        .select_from(
            status_reports.outerjoin(
                health_snapshots, health_snapshots.c.report_id == status_reports.c.id
            )
        )
        .where(status_reports.c.project_id == project_id)
    )
    if since is not None:
        query = query.where(status_reports.c.as_of >= since)
    if until is not None:
        query = query.where(status_reports.c.as_of <= until)
    query = query.order_by(status_reports.c.as_of).limit(limit).offset(offset)
    found: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
    for row in (await session.execute(query)).all():
        mapping = dict(row._mapping)
        snapshot = None
        if mapping["snapshot_report_id"] is not None:
            snapshot = {
                "report_id": mapping["snapshot_report_id"],
                "project_id": mapping["project_id"],
                "as_of": mapping["as_of"],
                "rag": mapping["snapshot_rag"],
                "reasons": mapping["snapshot_reasons"],
                "metrics": mapping["snapshot_metrics"],
                "assessed_at": mapping["snapshot_assessed_at"],
            }
        report = {column.name: mapping[column.name] for column in status_reports.columns}
        found.append((report, snapshot))
    return found
