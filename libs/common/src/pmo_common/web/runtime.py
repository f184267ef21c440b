"""What a running service holds: settings, database, outbox, Kafka clients and tasks."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from pmo_common.db.engine import create_database_engine, create_session_factory
from pmo_common.messaging.consumed_events import ConsumedEvents
from pmo_common.messaging.event_applier import EventApplier
from pmo_common.messaging.kafka_consumer import KafkaEventConsumer
from pmo_common.messaging.kafka_publisher import KafkaPublisher
from pmo_common.messaging.outbox import OutboxRelay, outbox_session_info
from pmo_common.messaging.retention import prune_periodically
from pmo_common.messaging.tables import MessagingTables
from pmo_common.messaging.topics import ensure_topics
from pmo_common.messaging.waiting import sleep_or_stop
from pmo_common.settings import ServiceSettings

log = logging.getLogger(__name__)
BackgroundJob = Callable[["ServiceRuntime", asyncio.Event], Coroutine[Any, Any, None]]


@dataclass
class ServiceRuntime:
    """The live parts of a service, built at start-up and torn down at shutdown."""

    settings: ServiceSettings
    tables: MessagingTables
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    publisher: KafkaPublisher
    relay: OutboxRelay
    applier: EventApplier | None
    consumer: KafkaEventConsumer | None
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    # Every service's own upkeep (pruning the messaging tables), apart from its jobs.
    upkeep: list[asyncio.Task[None]] = field(default_factory=list)


def build_runtime(
    settings: ServiceSettings,
    tables: MessagingTables,
    handlers: ConsumedEvents,
) -> ServiceRuntime:
    """Wire the database, outbox relay and (when there are handlers) the consumer."""
    engine = create_database_engine(settings.database_url)
    publisher = KafkaPublisher(settings.kafka_bootstrap_servers, f"pmo-{settings.service_name}")
    sessions = create_session_factory(engine)
    relay = OutboxRelay(
        session_factory=sessions,
        tables=tables,
        publisher=publisher,
        poll_interval=settings.outbox_poll_interval_seconds,
    )
    # The relay reads through these sessions, and their commits must wake it.
    sessions.configure(info=outbox_session_info(relay.wake))
    applier = consumer = None
    if handlers:
        applier = EventApplier(
            consumer=settings.consumer_group,
            session_factory=sessions,
            tables=tables,
            handlers=handlers,
            max_attempts=settings.consumer_max_attempts,
            retry_backoff=settings.consumer_retry_backoff_seconds,
        )
        consumer = KafkaEventConsumer(
            bootstrap_servers=settings.kafka_bootstrap_servers,
            group_id=settings.consumer_group,
            applier=applier,
            dead_letters=publisher,
        )
    return ServiceRuntime(
        settings=settings,
        tables=tables,
        engine=engine,
        sessions=sessions,
        publisher=publisher,
        relay=relay,
        applier=applier,
        consumer=consumer,
    )


def start_jobs(runtime: ServiceRuntime, jobs: Sequence[BackgroundJob]) -> None:
    """Start the service's background jobs; they stop when `runtime.stop` is set.

    Jobs do not wait for Kafka: they write their events to the outbox, which the relay sends
    once the broker is reachable, and some (e-mail and webhook delivery) need no Kafka at all.
    Starting them from `start_messaging` left them dead whenever Kafka was disabled. The
    pruning of the messaging tables (messaging/retention.py) starts with them, in every service.
    """
    for job in jobs:
        runtime.tasks.append(asyncio.create_task(job(runtime, runtime.stop)))
    pruning = prune_periodically(runtime.sessions, runtime.tables, runtime.settings, runtime.stop)
    runtime.upkeep.append(asyncio.create_task(pruning, name="retention"))


async def start_messaging(runtime: ServiceRuntime) -> None:
    """Create topics (retrying until the broker answers), then start the relay and consumer."""
    settings = runtime.settings
    while not runtime.stop.is_set():
        try:
            await ensure_topics(
                settings.kafka_bootstrap_servers,
                partitions=settings.kafka_topic_partitions,
                replication=settings.kafka_topic_replication,
            )
            break
        except Exception as exc:
            log.warning("Kafka not reachable yet (%s); retrying", exc)
            await sleep_or_stop(runtime.stop, 2.0)
    if runtime.stop.is_set():
        return
    runtime.tasks.append(asyncio.create_task(runtime.relay.run(runtime.stop)))
    if runtime.consumer is not None:
        runtime.tasks.append(asyncio.create_task(runtime.consumer.run(runtime.stop)))


async def shutdown(runtime: ServiceRuntime, timeout: float = 20.0) -> None:
    """Stop fetching, let in-flight work finish and commit, flush the outbox, disconnect."""
    log.info("shutting down: stopping the consumer and background jobs")
    runtime.stop.set()
    tasks = [*runtime.tasks, *runtime.upkeep]
    if tasks:
        done, pending = await asyncio.wait(tasks, timeout=timeout)
        for task in pending:
            log.warning("task %s did not stop within %gs; cancelling it", task.get_name(), timeout)
            task.cancel()
        if pending:
            # Let cancelled tasks unwind before the producer and engine they use go away.
            await asyncio.wait(pending, timeout=5.0)
        for task in done:
            if not task.cancelled() and task.exception() is not None:
                log.error("background task ended with an error", exc_info=task.exception())
    try:
        # The consumer's last batch and the jobs may have written events to the outbox after
        # the relay's own final pass (all of them stop on the same signal): flush once more now
        # that they have ended, so those events do not wait for the next start.
        await runtime.relay.flush()
        await runtime.publisher.stop()
    finally:
        await runtime.engine.dispose()
    log.info("shutdown complete")
