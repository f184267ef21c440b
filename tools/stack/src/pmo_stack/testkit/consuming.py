"""Consumers and background loops for tests on a real broker: a `KafkaEventConsumer` wired as
the services wire theirs (its own dead-letter publisher), and anything with a `run(stop)` loop
(a consumer, the outbox relay) run for the length of a block."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol

from pmo_common.messaging.event_applier import EventApplier
from pmo_common.messaging.kafka_consumer import KafkaEventConsumer
from pmo_common.messaging.kafka_publisher import KafkaPublisher

from pmo_stack.testkit.kafka_records import DEADLINE


class RunsUntilStopped(Protocol):
    """A loop that runs until its stop event is set (`KafkaEventConsumer`, `OutboxRelay`)."""

    async def run(self, stop: asyncio.Event) -> None: ...


@asynccontextmanager
async def dead_lettering_consumer(
    bootstrap: str, group: str, applier: EventApplier, **options: Any
) -> AsyncIterator[KafkaEventConsumer]:
    """A consumer in `group` applying with `applier`, dead-lettering through a publisher of
    its own that is stopped when the block ends; `options` go to `KafkaEventConsumer`."""
    dead_letters = KafkaPublisher(bootstrap, f"{group}-dlq")
    try:
        yield KafkaEventConsumer(
            bootstrap_servers=bootstrap,
            group_id=group,
            applier=applier,
            dead_letters=dead_letters,
            **options,
        )
    finally:
        await dead_letters.stop()


@asynccontextmanager
async def running(loop: RunsUntilStopped, *, timeout: float = DEADLINE) -> AsyncIterator[None]:
    """`loop` running in the background for the block, then stopped and awaited (at most
    `timeout` seconds: a loop that does not end on its stop signal fails the test)."""
    stop = asyncio.Event()
    task = asyncio.create_task(loop.run(stop))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=timeout)
