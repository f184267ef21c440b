"""A database holding the shared messaging tables, for tests of the outbox and the consumer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pmo_common.db.engine import create_session_factory
from pmo_common.messaging.outbox import EventOutbox, outbox_session_info
from pmo_common.messaging.tables import MessagingTables
from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker


@dataclass
class MessagingDatabase:
    """The shared messaging tables plus `applied`, where test handlers record their effects."""

    url: str
    engine: AsyncEngine
    tables: MessagingTables
    applied: Table

    @property
    def outbox(self) -> EventOutbox:
        return EventOutbox(service="itest", tables=self.tables)

    def sessions(self, wake: Callable[[], None] | None = None) -> async_sessionmaker[AsyncSession]:
        return create_session_factory(self.engine, outbox_session_info(wake) if wake else None)

    async def scalar(self, query: Any) -> int:
        async with self.engine.connect() as connection:
            return int(await connection.scalar(query) or 0)

    async def unsent(self) -> int:
        outbox = self.tables.outbox
        query = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
        return await self.scalar(query)

    async def processed(self) -> int:
        return await self.scalar(select(func.count()).select_from(self.tables.processed_events))

    async def effects(self) -> int:
        return await self.scalar(select(func.count()).select_from(self.applied))

    async def applied_by(self) -> dict[str, list[str]]:
        """Event ids the handlers recorded, by the instance that applied them."""
        query = select(self.applied.c.event_id, self.applied.c.instance).order_by(self.applied.c.id)
        async with self.engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        by_instance: dict[str, list[str]] = {}
        for row in rows:
            by_instance.setdefault(row.instance, []).append(row.event_id)
        return by_instance
