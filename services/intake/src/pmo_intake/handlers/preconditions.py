"""The precondition a write checks on the row it has just locked (If-Match, RFC 9110).

A use case reads the resource `FOR UPDATE` and runs the caller's `Precondition` on it before
anything else: the routes build it (they know the representation the caller reads and its
ETag), the use case decides when it runs, inside its transaction, so a concurrent writer
queued on the same row sees the first one's change and is refused (docs/adr/0027).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeAlias, TypeVar

R = TypeVar("R")

Precondition: TypeAlias = Callable[[R], Awaitable[None]]
"""Raises (412) unless the write may go ahead against the current, locked record."""


async def unconditional(_current: object) -> None:
    """The precondition of a write without If-Match: always met."""
