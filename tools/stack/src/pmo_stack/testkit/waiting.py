"""Waiting for something that happens asynchronously, with a bounded deadline."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T | None]],
    *,
    within: float = 20.0,
    what: str = "condition",
    interval: float = 0.05,
) -> T:
    """Call `probe` until it returns something other than None or False; fail after `within`.

    The probe's answer is returned, so a test can wait for a row and then look at it.
    """
    deadline = time.monotonic() + within
    while True:
        result = await probe()
        if result is not None and result is not False:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within:g}s waiting for {what}")
        await asyncio.sleep(interval)
