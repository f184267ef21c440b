"""Claims of missed reporting periods: each is announced with project.report_overdue once."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db.tables import overdue_announcements


async def claim_overdue_period(
    session: AsyncSession,
    *,
    project_id: str,
    period: int,
    due_date: date,
    published_at: datetime,
) -> bool:
    """Record that a project's missed period is being announced; False if it already was.

    The (project_id, period) primary key decides: on PostgreSQL and SQLite the insert is
    `ON CONFLICT DO NOTHING`, so a concurrent claimer waits for the first one's transaction
    and then inserts nothing. Only the caller that claimed may emit, in the same transaction.
    """
    values = {
        "project_id": project_id,
        "period": period,
        "due_date": due_date,
        "published_at": published_at,
    }
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


async def announced_periods(session: AsyncSession, *, project_id: str) -> list[int]:
    """The missed periods announced for a project, oldest first."""
    rows = await session.scalars(
        select(overdue_announcements.c.period)
        .where(overdue_announcements.c.project_id == project_id)
        .order_by(overdue_announcements.c.period)
    )
    return list(rows)
