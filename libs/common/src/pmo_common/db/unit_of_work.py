"""The unit of work: where a transaction begins and commits, drawn once for every service.

A use case (in a service's `handlers/`) wraps its writes in `async with unit_of_work(session)`.
The outermost unit of work on a session commits when its block ends and rolls back when the
block raises; an inner one (a use case called by the idempotency helper, or by the event
applier, which already hold a unit of work) joins it, so the idempotency record or the
processed-event record commits together with the effect. Routes never commit.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

_DEPTH = "pmo_unit_of_work_depth"


@asynccontextmanager
async def unit_of_work(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    """Run the block in one transaction; the outermost unit of work commits it."""
    info = session.sync_session.info
    depth = info.get(_DEPTH, 0)
    info[_DEPTH] = depth + 1
    try:
        if depth:
            yield session
            return
        # Reads the caller made before (autobegun) belong to this transaction as well.
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        await session.commit()
    finally:
        info[_DEPTH] = depth


def in_unit_of_work(session: AsyncSession) -> bool:
    """Whether a unit of work is open on this session (the caller's commit is pending)."""
    return bool(session.sync_session.info.get(_DEPTH, 0))
