"""Stand-ins for the event applier's unit tests: a `wait` that never sleeps, and the error a
database that is down raises."""

from __future__ import annotations

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
