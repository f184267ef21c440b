"""What a test peer (SMTP sink, webhook receiver) has received, and waiting for more of it."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Arrivals(Generic[T]):
    """A thread-safe record of arrivals: servers append on their threads, tests wait on theirs."""

    def __init__(self, describe: Callable[[list[T]], str]) -> None:
        # `describe` names what did arrive, so a timeout says more than "nothing matched".
        self._describe = describe
        self._items: list[T] = []
        self.condition = threading.Condition()

    def append(self, item: T) -> None:
        """Record an arrival and wake the waiters (call with or without `condition` held)."""
        with self.condition:
            self._items.append(item)
            self.condition.notify_all()

    def snapshot(self) -> list[T]:
        """Everything received so far, oldest first."""
        with self.condition:
            return list(self._items)

    def clear(self) -> None:
        """Forget everything received so far."""
        with self.condition:
            self._items.clear()

    def wait_for_sync(self, predicate: Callable[[T], bool], timeout: float) -> T:
        """Block until an arrival matches `predicate`; return it."""
        deadline = time.monotonic() + timeout
        with self.condition:
            while True:
                found = self._first_match(predicate)
                if found is not None:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(self._timeout_message(timeout))
                self.condition.wait(remaining)

    async def wait_for(self, predicate: Callable[[T], bool], timeout: float) -> T:
        """Wait, without blocking the event loop, until an arrival matches; return it."""
        deadline = time.monotonic() + timeout
        while True:
            with self.condition:
                found = self._first_match(predicate)
            if found is not None:
                return found
            if time.monotonic() >= deadline:
                raise TimeoutError(self._timeout_message(timeout))
            await asyncio.sleep(0.05)

    def _first_match(self, predicate: Callable[[T], bool]) -> T | None:
        return next((item for item in self._items if predicate(item)), None)

    def _timeout_message(self, timeout: float) -> str:
        return f"nothing matching within {timeout:.1f}s; {self._describe(self._items)}"
