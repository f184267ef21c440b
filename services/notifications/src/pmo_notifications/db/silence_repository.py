"""Reads and writes of silences."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pmo_common.web.pagination import PageRequest
from sqlalchemy import Row, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db.listing import fetch_page, matching
from pmo_notifications.db.tables import silences
from pmo_notifications.db.timestamps import record_from_row, row_values
from pmo_notifications.domain.silence_rules import SilenceRecord


def _record(row: Row[Any]) -> SilenceRecord:
    return record_from_row(SilenceRecord, row)


async def insert_silence(session: AsyncSession, *, silence: SilenceRecord) -> None:
    """Store a new silence."""
    await session.execute(insert(silences).values(**row_values(silence)))


async def get_silence(session: AsyncSession, *, silence_id: str) -> SilenceRecord | None:
    """The silence with this id, if any."""
    row = (await session.execute(select(silences).where(silences.c.id == silence_id))).first()
    return None if row is None else _record(row)


async def list_silences(
    session: AsyncSession,
    *,
    active_at: datetime | None,
    project_id: str | None,
    page: PageRequest,
) -> list[SilenceRecord]:
    """A page of silences ending soonest first (only those holding at `active_at` if given)."""
    query = matching(select(silences), (silences.c.project_id, project_id))
    if active_at is not None:
        query = query.where(silences.c.starts_at <= active_at, silences.c.ends_at > active_at)
    query = query.order_by(silences.c.ends_at, silences.c.id)
    return await fetch_page(session, query, _record, page)


async def active_silences(session: AsyncSession, *, at: datetime) -> list[SilenceRecord]:
    """Every silence holding at `at`."""
    rows = await session.execute(
        select(silences).where(silences.c.starts_at <= at, silences.c.ends_at > at)
    )
    return [_record(row) for row in rows]


async def delete_silence(session: AsyncSession, *, silence_id: str) -> None:
    """Remove a silence: notifications flow again for its scope."""
    await session.execute(delete(silences).where(silences.c.id == silence_id))
