"""Reads and writes of projects' baseline versions (append-only: a version never changes)."""

from __future__ import annotations

from pmo_common.db.rows import fetch_one, fetch_page, record_from, values_of
from pmo_common.web.pagination import PageRequest
from sqlalchemy import RowMapping, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db.plan_columns import plan_columns, plan_of
from pmo_intake.db.tables import project_baselines
from pmo_intake.domain.baselines import BaselineVersion


def _version(row: RowMapping) -> BaselineVersion:
    return record_from(BaselineVersion, row, **plan_of(row))


async def add_version(session: AsyncSession, *, baseline: BaselineVersion) -> None:
    """Store a new baseline version."""
    values = values_of(baseline, **plan_columns(baseline))
    await session.execute(insert(project_baselines).values(**values))


async def latest_version_number(session: AsyncSession, *, project_id: str) -> int:
    """The number of the project's baseline in force (0 when it has none)."""
    query = select(func.max(project_baselines.c.version)).where(
        project_baselines.c.project_id == project_id
    )
    return int(await session.scalar(query) or 0)


async def list_versions(
    session: AsyncSession, *, project_id: str, page: PageRequest
) -> list[BaselineVersion]:
    """A page of the project's baseline versions, oldest first."""
    query = (
        select(project_baselines)
        .where(project_baselines.c.project_id == project_id)
        .order_by(project_baselines.c.version)
    )
    return await fetch_page(session, query, _version, page)


async def get_version(
    session: AsyncSession, *, project_id: str, version: int
) -> BaselineVersion | None:
    """One baseline version of the project, or None."""
    query = select(project_baselines).where(
        project_baselines.c.project_id == project_id, project_baselines.c.version == version
    )
    return await fetch_one(session, query, _version)
