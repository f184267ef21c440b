"""Reads and writes of project requests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db.tables import project_requests


async def get_request(session: AsyncSession, request_id: str) -> dict[str, Any] | None:
    """One request, or None."""
    row = (
        await session.execute(select(project_requests).where(project_requests.c.id == request_id))
    ).first()
    return dict(row._mapping) if row is not None else None


async def list_requests(
    session: AsyncSession, *, requested_by: str | None, status: str | None, limit: int, offset: int
) -> list[dict[str, Any]]:
    """Requests, newest first."""
    query = select(project_requests)
    if requested_by is not None:
        query = query.where(func.lower(project_requests.c.requested_by) == requested_by.lower())
    if status is not None:
        query = query.where(project_requests.c.status == status)
    query = query.order_by(project_requests.c.created_at.desc(), project_requests.c.id)
    rows = (await session.execute(query.limit(limit).offset(offset))).all()
    return [dict(row._mapping) for row in rows]


async def insert_request(session: AsyncSession, values: dict[str, Any]) -> None:
    """Add a request."""
    await session.execute(insert(project_requests).values(**values))


async def update_request(session: AsyncSession, request_id: str, values: dict[str, Any]) -> None:
    """Change a request's columns."""
    await session.execute(
        update(project_requests).where(project_requests.c.id == request_id).values(**values)
    )
