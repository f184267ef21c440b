"""Applies a consumed event exactly once: the processed-event id is stored with the effect."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum

import asyncpg
from aiokafka.errors import KafkaError
from pydantic import ValidationError
from sqlalchemy import exc as sa_exc
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.events.envelope import CloudEvent
from pmo_common.messaging.consumed_events import ConsumedEvents, PermanentEventError
from pmo_common.messaging.tables import MessagingTables
from pmo_common.observability import correlation_id_var, traceparent_var
from pmo_common.outages import is_database_outage, is_infrastructure_error

__all__ = ["EventApplier", "Failure", "Outcome", "PermanentEventError", "Wait", "Waiting"]
log = logging.getLogger(__name__)


class Outcome(Enum):
    """What became of one consumed record."""

    APPLIED = "applied"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    DEAD_LETTERED = "dead_lettered"
    INTERRUPTED = "interrupted"
    """Not applied: stopped (or lost the partition) while waiting; deliver it again."""


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a record could not be applied."""

    error: str
    error_type: str


@dataclass(frozen=True, slots=True)
class Waiting:
    """An outage the applier is waiting out: what is down, since when, the last error."""

    what: str
    since: datetime
    error: BaseException

    def describe(self) -> str:
        """E.g. "waiting for the database since 2026-01-02T03:04:05+00:00 (OperationalError)"."""
        return (
            f"waiting for {self.what} since {self.since.isoformat(timespec='seconds')} "
            f"({type(self.error).__name__})"
        )


Wait = Callable[[float], Awaitable[bool]]
"""Back off for so many seconds; False when the applier must give up the event (stopping)."""


async def _sleep(seconds: float) -> bool:
    await asyncio.sleep(seconds)
    return True


def _what_failed(exc: BaseException) -> str:
    if is_database_outage(exc) or isinstance(exc, sa_exc.DBAPIError | asyncpg.PostgresError):
        return "the database"
    if isinstance(exc, KafkaError):
        return "Kafka"
    return "the network"


@dataclass(kw_only=True, eq=False)
class EventApplier:
    """Runs the handler for an event in one transaction with its processed-event record."""

    consumer: str
    session_factory: async_sessionmaker[AsyncSession]
    tables: MessagingTables
    handlers: ConsumedEvents
    max_attempts: int = 3
    retry_backoff: float = 0.2
    outage_backoff: float = 0.2
    outage_backoff_max: float = 30.0
    waiting: Waiting | None = field(default=None, init=False)
    """Set while an infrastructure error holds the event in hand (for the readiness probe)."""

    @property
    def event_types(self) -> list[str]:
        """The event types this applier has handlers for."""
        return self.handlers.event_types

    async def apply_raw(
        self, raw: bytes | None, *, wait: Wait | None = None
    ) -> tuple[Outcome, Failure | None]:
        """Parse and apply one record (see `apply` for `wait` and the retries)."""
        try:
            event = CloudEvent.from_bytes(raw or b"")
        except (ValidationError, ValueError) as exc:
            return Outcome.DEAD_LETTERED, Failure(f"not a CloudEvent: {exc}", type(exc).__name__)
        return await self.apply(event, wait=wait)

    async def apply(
        self, event: CloudEvent, *, wait: Wait | None = None
    ) -> tuple[Outcome, Failure | None]:
        """Apply a parsed event; returns the outcome and, when dead-lettered, why.

        An infrastructure error (`is_infrastructure_error`: the database, Kafka, the network)
        is waited out: retried with bounded exponential backoff for as long as it lasts, never
        dead-lettered. Any other error is retried `max_attempts` times, then dead-lettered;
        `PermanentEventError` and data that does not fit the model are dead-lettered at once.
        `wait(seconds)` does the backing off (the consumer keeps polling Kafka meanwhile); when
        it answers False (stopping, or the partition was taken away) the outcome is
        INTERRUPTED: nothing was applied and the record must be delivered again.
        """
        if event.type not in self.handlers:
            return Outcome.IGNORED, None
        correlation_token = correlation_id_var.set(event.correlationid)
        trace_token = traceparent_var.set(event.traceparent)
        try:
            return await self._apply_with_retries(event, wait or _sleep)
        finally:
            self.waiting = None
            correlation_id_var.reset(correlation_token)
            traceparent_var.reset(trace_token)

    async def _apply_with_retries(
        self, event: CloudEvent, wait: Wait
    ) -> tuple[Outcome, Failure | None]:
        attempt = 0  # failures of the event or handler itself, bounded by max_attempts
        outages = 0  # infrastructure failures in a row, unbounded
        extra = {"event_id": event.id, "event_type": event.type}
        while True:
            try:
                applied = await self._apply_once(event)
                if self.waiting is not None:
                    log.warning(
                        "%s is back after %d failed attempts; event applied",
                        self.waiting.what,
                        outages,
                        extra=extra,
                    )
                return (Outcome.APPLIED if applied else Outcome.DUPLICATE), None
            except (PermanentEventError, ValidationError) as exc:
                return Outcome.DEAD_LETTERED, Failure(str(exc), type(exc).__name__)
            except Exception as exc:
                if is_infrastructure_error(exc):
                    outages += 1
                    if self.waiting is None:
                        self.waiting = Waiting(_what_failed(exc), datetime.now(UTC), exc)
                    delay = min(self.outage_backoff * 2 ** (outages - 1), self.outage_backoff_max)
                    log.warning(
                        "waiting for %s (failure %d, retrying in %.1fs): %s: %s",
                        self.waiting.what,
                        outages,
                        delay,
                        type(exc).__name__,
                        exc,
                        extra=extra,
                    )
                    if not await wait(delay):
                        return Outcome.INTERRUPTED, None
                    continue
                attempt += 1
                if attempt >= self.max_attempts:
                    log.exception("giving up on event after %d attempts", attempt, extra=extra)
                    return Outcome.DEAD_LETTERED, Failure(str(exc), type(exc).__name__)
                log.warning(
                    "event handler failed (attempt %d), retrying: %s", attempt, exc, extra=extra
                )
                if not await wait(self.retry_backoff * 2 ** (attempt - 1)):
                    return Outcome.INTERRUPTED, None

    async def _apply_once(self, event: CloudEvent) -> bool:
        processed = self.tables.processed_events
        async with self.session_factory() as session, unit_of_work(session):
            seen = await session.scalar(
                select(processed.c.event_id).where(
                    processed.c.consumer == self.consumer, processed.c.event_id == event.id
                )
            )
            if seen is not None:
                return False
            await session.execute(
                insert(processed).values(
                    consumer=self.consumer,
                    event_id=event.id,
                    event_type=event.type,
                    processed_at=datetime.now(UTC),
                )
            )
            await self.handlers.dispatch(session, event)
        return True
