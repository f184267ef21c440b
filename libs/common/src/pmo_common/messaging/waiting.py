"""Small waits that end early when the service is asked to stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


async def sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    """Sleep for `seconds`, or less if `stop` is set meanwhile."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def wait_any(first: asyncio.Event, second: asyncio.Event, timeout: float) -> None:
    """Wait until either event is set or the timeout passes."""
    waiters = {asyncio.ensure_future(first.wait()), asyncio.ensure_future(second.wait())}
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


async def run_every(
    stop: asyncio.Event,
    seconds: float,
    one_pass: Callable[[], Awaitable[int]],
    *,
    what: str,
    counted: str,
) -> None:
    """Run `one_pass` every `seconds` until `stop` is set; 0 or less turns it off (said once).

    A pass returns how many things it did (`counted` names them in the log). A pass that fails
    is logged and tried again on the next tick: each pass commits its work in its own units of
    work, so a failure loses nothing already done and a database outage is simply waited out.
    """
    if seconds <= 0:
        log.info("the %s is off in this process", what)
        return
    while not stop.is_set():
        try:
            count = await one_pass()
            if count:
                log.info("%s: %d %s", what, count, counted)
        except Exception:
            log.exception("%s failed; trying again in %s s", what, seconds)
        await sleep_or_stop(stop, seconds)
