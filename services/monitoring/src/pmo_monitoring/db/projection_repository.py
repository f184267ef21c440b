"""Reads and writes of monitoring's projections: projects, methodologies and compliance."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db.tables import methodology_thresholds, monitored_projects, project_compliance


async def get_project(
    session: AsyncSession, project_id: str, *, for_update: bool = False
) -> dict[str, Any] | None:
    """One projected project as a dict, or None; `for_update` locks it (PostgreSQL)."""
    query = select(monitored_projects).where(monitored_projects.c.id == project_id)
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).first()
    return dict(row._mapping) if row is not None else None


async def insert_project(session: AsyncSession, values: Mapping[str, Any]) -> None:
    """Add a project to the projection."""
    await session.execute(insert(monitored_projects).values(**values))


async def update_project(session: AsyncSession, project_id: str, values: Mapping[str, Any]) -> None:
    """Change a projected project's columns."""
    await session.execute(
        update(monitored_projects).where(monitored_projects.c.id == project_id).values(**values)
    )


async def list_projects(
    session: AsyncSession,
    *,
    manager: str | None = None,
    methodology: str | None = None,
    portfolio_id: str | None = None,
    program_id: str | None = None,
    include_closed: bool = True,
) -> list[dict[str, Any]]:
    """Projected projects matching the filters, by name."""
    query = select(monitored_projects)
    if manager is not None:
        query = query.where(func.lower(monitored_projects.c.manager) == manager.lower())
    if methodology is not None:
        query = query.where(monitored_projects.c.methodology == methodology)
    if portfolio_id is not None:
        query = query.where(monitored_projects.c.portfolio_id == portfolio_id)
    if program_id is not None:
        query = query.where(monitored_projects.c.program_id == program_id)
    if not include_closed:
        query = query.where(monitored_projects.c.status != "closed")
    query = query.order_by(monitored_projects.c.name, monitored_projects.c.id)
    return [dict(row._mapping) for row in (await session.execute(query)).all()]


async def get_methodology(session: AsyncSession, key: str) -> dict[str, Any] | None:
    """The newest version of a methodology standards published, or None."""
    row = (
        await session.execute(
            select(methodology_thresholds).where(methodology_thresholds.c.key == key)
        )
    ).first()
    return dict(row._mapping) if row is not None else None


async def all_methodologies(session: AsyncSession) -> dict[str, dict[str, Any]]:
    """Every methodology heard of, by key."""
    rows = (await session.execute(select(methodology_thresholds))).all()
    return {row.key: dict(row._mapping) for row in rows}


async def save_methodology(
    session: AsyncSession, values: Mapping[str, Any], *, exists: bool
) -> None:
    """Insert or replace a methodology's row."""
    if exists:
        await session.execute(
            update(methodology_thresholds)
            .where(methodology_thresholds.c.key == values["key"])
            .values(**values)
        )
    else:
        await session.execute(insert(methodology_thresholds).values(**values))


async def get_compliance(session: AsyncSession, project_id: str) -> dict[str, Any] | None:
    """Standards' latest compliance verdict on a project, or None."""
    row = (
        await session.execute(
            select(project_compliance).where(project_compliance.c.project_id == project_id)
        )
    ).first()
    return dict(row._mapping) if row is not None else None


async def save_compliance(session: AsyncSession, values: Mapping[str, Any]) -> None:
    """Insert or replace a project's compliance verdict."""
    table = project_compliance
    exists = await session.scalar(
        select(table.c.project_id).where(table.c.project_id == values["project_id"])
    )
    if exists is None:
        await session.execute(insert(table).values(**values))
    else:
        await session.execute(
            update(table).where(table.c.project_id == values["project_id"]).values(**values)
        )
