"""Writes that arrive one at a time, stored together: one transaction per batch (group commit).

While one batch is being written, the items submitted meanwhile wait and form the next one, so
under load each item costs a share of a transaction instead of one of its own, and when idle an
item is written at once (a batch of one). Every submitter still learns when its own item is
stored, or what stopped it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class GroupCommit(Generic[T]):
    """Calls `write` with the items submitted while the previous call ran, oldest first."""

    def __init__(self, write: Callable[[list[T]], Awaitable[None]], *, max_batch: int) -> None:
        self._write = write
        self._max_batch = max_batch
        self._waiting: list[tuple[T, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> None:
        """Return once `item` is written; raise what writing it raised."""
        written = asyncio.get_running_loop().create_future()
        self._waiting.append((item, written))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_all())
        # Shielded: a submitter cancelled meanwhile does not take its item out of the batch.
        await asyncio.shield(written)

    async def drain(self) -> None:
        """Wait until every item submitted so far is written (or has failed)."""
        while self._writer is not None and not self._writer.done():
            await asyncio.wait([self._writer])

    async def _write_all(self) -> None:
        batch: list[tuple[T, asyncio.Future[None]]] = []
        try:
            while self._waiting:
                batch = self._waiting[: self._max_batch]
                del self._waiting[: len(batch)]
                await self._write_batch(batch)
        finally:
            # Only when cancelled (shutdown) is anything left: nobody waits for it forever.
            for _, written in [*batch, *self._waiting]:
                if not written.done():
                    written.cancel()

    async def _write_batch(self, batch: list[tuple[T, asyncio.Future[None]]]) -> None:
        try:
            await self._write([item for item, _ in batch])
        except Exception as exc:
            if len(batch) > 1:
                # One item that cannot be written must not cost the others theirs.
                for one in batch:
                    await self._write_batch([one])
                return
            _settle(batch[0][1], exc)
            return
        for _, written in batch:
            _settle(written, None)


def _settle(written: asyncio.Future[None], error: Exception | None) -> None:
    if written.done():
        return
    if error is None:
        written.set_result(None)
    else:
        written.set_exception(error)
