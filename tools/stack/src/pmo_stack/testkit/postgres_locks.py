"""Seeing, on PostgreSQL, that a session really waits on a lock another one holds, and what a
claim contended that way gets."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from pmo_stack.testkit.waiting import eventually

DEADLINE = 60.0  # bound on every wait; nothing asserts on elapsed time

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


async def second_claim(
    engine: AsyncEngine,
    claim: Callable[[AsyncSession], Coroutine[Any, Any, bool]],
    *,
    first_commits: bool,
) -> bool:
    """What a second session's `claim` gets while a first one holds the same claim: it waits on
    the first's row until the first commits (or, unless `first_commits`, rolls back).

    The first claim must succeed; the second is committed once it answers.
    """
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    async with sessions() as first, sessions() as second:
        assert await claim(first)
        contender = asyncio.create_task(claim(second))
        # Commit or roll back only once the contender is really blocked on the first's row.
        await wait_until_blocked(engine)
        if first_commits:
            await first.commit()
        else:
            await first.rollback()
        async with asyncio.timeout(DEADLINE):
            got = await contender
        await second.commit()
    return got
