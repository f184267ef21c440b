"""Reads and writes of health: each project's current one, and each report's point of history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from pmo_common.db.rows import RowLike, fetch_all, fetch_one, record_from, values_of
from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db.tables import health_snapshots, project_health
from pmo_monitoring.domain.records import StoredHealth, as_rag


def health_from_row(row: RowLike) -> StoredHealth:
    """The record of a `project_health` row."""
    return record_from(StoredHealth, row, rag=as_rag(row["rag"]), reasons=tuple(row["reasons"]))


def point_from_row(row: RowLike) -> StoredHealth:
    """The record of a `health_snapshots` row (a report judged as of its own as_of)."""
    return health_from_row({**row, "last_report_at": row["as_of"]})


def _values(health: StoredHealth) -> dict[str, Any]:
    return values_of(
        health,
        reasons=[dict(reason) for reason in health.reasons],
        metrics=dict(health.metrics),
    )


def _without(values: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: value for name, value in values.items() if name not in names}


async def get_health(session: AsyncSession, *, project_id: str) -> StoredHealth | None:
    """The stored health of a project, or None before its first report."""
    query = select(project_health).where(project_health.c.project_id == project_id)
    return await fetch_one(session, query, health_from_row)


async def healths_of(
    session: AsyncSession, *, project_ids: Sequence[str]
) -> dict[str, StoredHealth]:
    """The stored health of each of the given projects that has one, by project id."""
    found: dict[str, StoredHealth] = {}
    # Chunked so the IN list stays well under every database's parameter limit.
    for start in range(0, len(project_ids), 500):
        chunk = project_ids[start : start + 500]
        query = select(project_health).where(project_health.c.project_id.in_(chunk))
        found.update(
            {
                health.project_id: health
                for health in await fetch_all(session, query, health_from_row)
            }
        )
    return found


async def save_health(session: AsyncSession, *, health: StoredHealth, exists: bool) -> int:
    """Insert or replace a project's stored health; returns its new health version.

    The version is counted up by the database, in the statement that stores the health, so
    two writers that both read the previous one (SQLite has no row lock) cannot both store
    the same version.
    """
    values = _values(health)
    if not exists:
        await session.execute(insert(project_health).values(**values, health_version=1))
        return 1
    stored = await session.execute(
        update(project_health)
        .where(project_health.c.project_id == health.project_id)
        .values(**values, health_version=project_health.c.health_version + 1)
        .returning(project_health.c.health_version)
    )
    return int(stored.scalar_one())


async def save_point(session: AsyncSession, *, point: StoredHealth, replaces: bool) -> None:
    """Store a report's point of the history; `replaces` a corrected day's earlier point."""
    if replaces:
        await session.execute(
            delete(health_snapshots).where(
                health_snapshots.c.project_id == point.project_id,
                health_snapshots.c.as_of == point.as_of,
            )
        )
    await session.execute(
        insert(health_snapshots).values(**_without(_values(point), "last_report_at"))
    )


async def point_before(
    session: AsyncSession, *, project_id: str, as_of: date
) -> StoredHealth | None:
    """The stored point of the newest report before `as_of` that has one, or None."""
    query = (
        select(health_snapshots)
        .where(health_snapshots.c.project_id == project_id, health_snapshots.c.as_of < as_of)
        .order_by(health_snapshots.c.as_of.desc())
        .limit(1)
    )
    return await fetch_one(session, query, point_from_row)
