"""Reads and writes of silences."""

from __future__ import annotations

from datetime import datetime

from pmo_common.db.rows import fetch_all, fetch_by_id, fetch_page, matching, values_of
from pmo_common.web.pagination import PageRequest
from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db.tables import silences
from pmo_notifications.domain.clock import in_utc
from pmo_notifications.domain.silence_rules import SilenceRecord


async def insert_silence(session: AsyncSession, *, silence: SilenceRecord) -> None:
    """Store a new silence (a `SilenceRecord` holds its instants in UTC, as they are stored)."""
    await session.execute(insert(silences).values(**values_of(silence)))


async def get_silence(
    session: AsyncSession, *, silence_id: str, for_update: bool = False
) -> SilenceRecord | None:
    """The silence with this id, if any (locked for the transaction when `for_update`)."""
    return await fetch_by_id(session, silences, silence_id, SilenceRecord, for_update=for_update)


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
        # Stored instants are UTC (on SQLite, naive text): compare them with UTC only.
        at = in_utc(active_at)
        query = query.where(silences.c.starts_at <= at, silences.c.ends_at > at)
    query = query.order_by(silences.c.ends_at, silences.c.id)
    return await fetch_page(session, query, SilenceRecord, page)


async def active_silences(session: AsyncSession, *, at: datetime) -> list[SilenceRecord]:
    """Every silence holding at `at` (the routing check, in UTC like the stored instants)."""
    at = in_utc(at)
    query = select(silences).where(silences.c.starts_at <= at, silences.c.ends_at > at)
    return await fetch_all(session, query, SilenceRecord)


async def unended_silences(session: AsyncSession, *, at: datetime) -> list[SilenceRecord]:
    """Every silence not over at `at`: holding then, or starting later."""
    query = select(silences).where(silences.c.ends_at > in_utc(at))
    query = query.order_by(silences.c.starts_at, silences.c.id)
    return await fetch_all(session, query, SilenceRecord)


async def delete_silence(session: AsyncSession, *, silence_id: str) -> None:
    """Remove a silence: notifications flow again for its scope."""
    await session.execute(delete(silences).where(silences.c.id == silence_id))
