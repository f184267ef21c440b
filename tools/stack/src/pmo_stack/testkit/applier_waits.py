"""Stand-ins for the event applier's unit tests: a `wait` that never sleeps, the error a
database that is down raises, and an outage that lasts a set number of attempts."""

from __future__ import annotations

from dataclasses import dataclass, field

from pmo_common.messaging.event_applier import EventApplier
from sqlalchemy import exc as sa_exc


class Waits:
    """A `wait` for the applier that records the backoffs asked for and never really sleeps;
    it answers False (stop waiting: the consumer is stopping) after `allowed` waits."""

    def __init__(self, allowed: int | None = None) -> None:
        self.delays: list[float] = []
        self.allowed = allowed

    async def __call__(self, seconds: float) -> bool:
        self.delays.append(seconds)
        return self.allowed is None or len(self.delays) <= self.allowed


def database_down() -> sa_exc.OperationalError:
    """What a driver raises when the database refuses the connection."""
    return sa_exc.OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))


@dataclass
class Outage:
    """A database outage that a handler meets on its next `failures` calls of `meet()`; each
    time, what the `applier` (once set) says it is waiting for is kept in `seen_waiting`."""

    failures: int
    applier: EventApplier | None = None
    seen_waiting: list[str] = field(default_factory=list)

    def meet(self) -> None:
        """Raise what a database that is down raises, while the outage lasts."""
        if not self.failures:
            return
        self.failures -= 1
        if self.applier is not None and self.applier.waiting is not None:
            self.seen_waiting.append(self.applier.waiting.describe())
        raise database_down()
