"""Reads and writes of the project registry, portfolios, programmes and methodologies."""

from __future__ import annotations

from typing import Any

from pmo_common.contract import SEEDED_METHODOLOGY_KEYS
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db.tables import known_methodologies, portfolios, programs, projects


async def get_project(session: AsyncSession, project_id: str) -> dict[str, Any] | None:
    """One project as a dict, or None."""
    row = (await session.execute(select(projects).where(projects.c.id == project_id))).first()
    return dict(row._mapping) if row is not None else None


async def list_projects(
    session: AsyncSession,
    *,
    manager: str | None,
    status: str | None,
    portfolio_id: str | None,
    program_id: str | None,
    limit: int,
    offset: int,
) -> list[dict[str, Any]]:
    """Projects matching the filters, newest first."""
    query = select(projects)
    if manager is not None:
        query = query.where(func.lower(projects.c.manager) == manager.lower())
    if status is not None:
        query = query.where(projects.c.status == status)
    if portfolio_id is not None:
        query = query.where(projects.c.portfolio_id == portfolio_id)
    if program_id is not None:
        query = query.where(projects.c.program_id == program_id)
    query = query.order_by(projects.c.created_at.desc(), projects.c.id).limit(limit).offset(offset)
    return [dict(row._mapping) for row in (await session.execute(query)).all()]


async def insert_project(session: AsyncSession, values: dict[str, Any]) -> None:
    """Add a project."""
    await session.execute(insert(projects).values(**values))


async def update_project(session: AsyncSession, project_id: str, values: dict[str, Any]) -> None:
    """Change a project's columns."""
    await session.execute(update(projects).where(projects.c.id == project_id).values(**values))


async def methodology_keys(session: AsyncSession) -> set[str]:
    """Methodologies standards has published, plus the seeded ones."""
    keys = (await session.scalars(select(known_methodologies.c.key))).all()
    return set(keys) | set(SEEDED_METHODOLOGY_KEYS)


async def upsert_methodology(session: AsyncSession, *, key: str, name: str, version: int) -> None:
    """Remember a methodology published by standards (newer versions win)."""
    current = await session.scalar(
        select(known_methodologies.c.version).where(known_methodologies.c.key == key)
    )
    if current is None:
        await session.execute(
            insert(known_methodologies).values(key=key, name=name, version=version)
        )
    elif version > current:
        await session.execute(
            update(known_methodologies)
            .where(known_methodologies.c.key == key)
            .values(name=name, version=version)
        )


async def portfolio_exists(session: AsyncSession, portfolio_id: str) -> bool:
    """Whether the portfolio exists."""
    found = await session.scalar(select(portfolios.c.id).where(portfolios.c.id == portfolio_id))
    return found is not None


async def program_portfolio(session: AsyncSession, program_id: str) -> tuple[bool, str | None]:
    """Whether the programme exists, and its portfolio."""
    row = (
        await session.execute(select(programs.c.portfolio_id).where(programs.c.id == program_id))
    ).first()
    return (row is not None, row.portfolio_id if row is not None else None)
