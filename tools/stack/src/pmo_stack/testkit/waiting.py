"""Waiting for something that happens asynchronously, with a bounded deadline."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


class _Deadline:
    """`within` seconds from now; `check` fails the test once they are over."""

    def __init__(self, within: float, what: str) -> None:
        self._at = time.monotonic() + within
        self._message = f"timed out after {within:g}s waiting for {what}"

    def check(self) -> None:
        if time.monotonic() > self._at:
            raise AssertionError(self._message)


def _answered(result: object) -> bool:
    return result is not None and result is not False


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
    deadline = _Deadline(within, what)
    while not _answered(result := await probe()):
        deadline.check()
        await asyncio.sleep(interval)
    assert result is not None
    return result


def wait_until(
    probe: Callable[[], object], *, within: float = 20.0, what: str = "condition"
) -> None:
    """`eventually` for code with no event loop: poll `probe` (blocking) until it holds."""
    deadline = _Deadline(within, what)
    while not _answered(probe()):
        deadline.check()
        time.sleep(0.1)
