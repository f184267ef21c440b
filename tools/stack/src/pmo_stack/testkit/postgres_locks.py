"""Seeing, on PostgreSQL, that a session really waits on a lock another one holds."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from pmo_stack.testkit.waiting import eventually

_LOCK_WAITERS = text(
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
)


async def lock_waiters(engine: AsyncEngine) -> int:
    """How many sessions on this engine's database are blocked waiting for a lock now."""
    async with engine.connect() as connection:
        return int(await connection.scalar(_LOCK_WAITERS) or 0)


async def wait_until_blocked(engine: AsyncEngine, *, waiters: int = 1, within: float = 30) -> None:
    """Return once `waiters` sessions wait on a lock: a race test's proof that they contend."""

    async def blocked() -> bool:
        return await lock_waiters(engine) >= waiters

    await eventually(blocked, within=within, what=f"{waiters} session(s) to wait on a lock")
