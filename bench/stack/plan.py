"""How long and how large each stack benchmark runs: the full plan and the quick smoke.

The full plan fits `make bench-stack` in ten minutes on a 2-core machine; every stage is
bounded by its own sizes and deadlines, and a stage that would start after the overall
budget is spent is skipped (its figures print null, with the reason).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Plan:
    """Sizes, durations and repetitions of one run.

    The alert and roll-up stages start a second or third repetition only while their
    allowance lasts (the code before issue 14 takes half a minute per 100k roll-up and
    backs up at 50 reports/s); the table says when a figure has fewer repetitions.
    """

    repetitions: int = 3
    budget_seconds: float = 550.0  # stages start only within it; the last one may run past
    # Ingest: closed-loop POSTs at each concurrency, per repetition.
    ingest_seconds: float = 3.0
    ingest_concurrency: tuple[int, ...] = (16, 64)
    # Alert latency: reports per second, and for how long, per repetition; how long the
    # webhooks of the last reports may take to arrive; when no further repetition starts.
    alert_rates: tuple[int, ...] = (10, 50)
    alert_seconds: dict[int, float] = field(default_factory=lambda: {10: 6.0, 50: 3.0})
    alert_drain_seconds: float = 45.0
    alert_allowance_seconds: float = 80.0
    rtt_seconds: float = 2.0
    # Roll-up: total projects in monitoring, GETs per repetition at each size, and for how
    # long (seeding aside) further repetitions may start at each size.
    rollup_sizes: tuple[int, ...] = (10_000, 100_000)
    rollup_requests: dict[int, int] = field(default_factory=lambda: {10_000: 3, 100_000: 1})
    rollup_allowance_seconds: dict[int, float] = field(
        default_factory=lambda: {10_000: 20.0, 100_000: 30.0}
    )
    # Apply: project.created records produced straight to Kafka, and how long each service
    # is watched applying them (split into one window per repetition).
    apply_events: int = 6_000
    apply_seconds: float = 12.0
    # Starting (migrating) one stack of four services.
    stack_start_seconds: float = 45.0


FULL = Plan()
QUICK = Plan(
    repetitions=1,
    budget_seconds=300.0,
    ingest_seconds=2.0,
    alert_seconds={10: 4.0, 50: 2.0},
    alert_drain_seconds=30.0,
    alert_allowance_seconds=40.0,
    rtt_seconds=1.0,
    rollup_sizes=(2_000, 10_000),
    rollup_requests={2_000: 3, 10_000: 2},
    rollup_allowance_seconds={2_000: 10.0, 10_000: 20.0},
    apply_events=2_000,
    apply_seconds=5.0,
)


class Budget:
    """The wall-clock budget of the whole run."""

    def __init__(self, seconds: float) -> None:
        self.started = time.monotonic()
        self.seconds = seconds

    @property
    def elapsed(self) -> float:
        """Seconds since the run started."""
        return time.monotonic() - self.started

    def allows(self, seconds: float) -> bool:
        """Whether a stage needing about `seconds` still fits."""
        return self.elapsed + seconds <= self.seconds


def repetitions_within(plan: Plan, allowance: float) -> Iterator[int]:
    """Repetition numbers: the first always, each further one while `allowance` seconds
    (from the first) have not passed."""
    started = time.monotonic()
    for number in range(plan.repetitions):
        if number > 0 and time.monotonic() - started > allowance:
            return
        yield number


def repetitions_note(plan: Plan, done: int) -> str:
    """`` or ` [1 of 3 repetitions: time allowance]`` when fewer than planned ran."""
    if done >= plan.repetitions:
        return ""
    return f" [{done} of {plan.repetitions} repetitions: time allowance]"
