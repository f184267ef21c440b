"""Applies consumed events exactly once: the processed-event id is stored with the effect.

A poll batch is applied in one transaction (`apply_batch`): one set-based look-up of the ids
already processed, one insert of the new ones, every new event's handler in order on the same
session, one commit. A batch that fails for any reason other than an outage is rolled back and
applied again one event at a time (`apply`), so only the event that cannot apply is
dead-lettered.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import Any

import asyncpg
from aiokafka.errors import KafkaError
from pydantic import ValidationError
from sqlalchemy import exc as sa_exc
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.events.envelope import CloudEvent
from pmo_common.events.payloads import EventPayload
from pmo_common.messaging.consumed_events import Consumed, ConsumedEvents, PermanentEventError
from pmo_common.messaging.tables import MessagingTables
from pmo_common.observability import correlation_id_var, traceparent_var
from pmo_common.outages import is_database_outage, is_infrastructure_error

__all__ = [
    "EventApplier",
    "Failure",
    "Outcome",
    "PermanentEventError",
    "Result",
    "Wait",
    "Waiting",
]
log = logging.getLogger(__name__)
_IDS_PER_LOOKUP = 1000  # bound on the bind parameters of one processed-id look-up


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


Result = tuple[Outcome, Failure | None]
"""The outcome of one record and, when dead-lettered, why."""


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


def _task_key() -> int:
    """Which applier call is running: the consumer applies each lane in a task of its own."""
    return id(asyncio.current_task())


def _what_failed(exc: BaseException) -> str:
    if is_database_outage(exc) or isinstance(exc, sa_exc.DBAPIError | asyncpg.PostgresError):
        return "the database"
    if isinstance(exc, KafkaError):
        return "Kafka"
    return "the network"


def _failed(exc: BaseException) -> Result:
    return Outcome.DEAD_LETTERED, Failure(str(exc), type(exc).__name__)


def _parsed(raw: bytes | None) -> CloudEvent | Result:
    """The record's CloudEvent, or the dead-letter result of bytes that are not one."""
    try:
        return CloudEvent.from_bytes(raw or b"")
    except (ValidationError, ValueError) as exc:
        return Outcome.DEAD_LETTERED, Failure(f"not a CloudEvent: {exc}", type(exc).__name__)


@contextmanager
def _in_context_of(event: CloudEvent) -> Iterator[None]:
    """The event's correlation id and trace context for the logs and events its handler writes."""
    correlation_token = correlation_id_var.set(event.correlationid)
    trace_token = traceparent_var.set(event.traceparent)
    try:
        yield
    finally:
        correlation_id_var.reset(correlation_token)
        traceparent_var.reset(trace_token)


@dataclass(frozen=True, slots=True)
class _Pending:
    """A record of a batch that has a handler: where it is, its event, its data or why not."""

    index: int
    event: CloudEvent
    consumed: Consumed[EventPayload] | ValidationError


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
    # The outage each task (one per lane of the consumer) is waiting out, by task.
    _waits: dict[int, Waiting] = field(default_factory=dict, init=False)

    @property
    def waiting(self) -> Waiting | None:
        """The oldest outage holding an event in hand, if any (for the readiness probe)."""
        return min(self._waits.values(), key=lambda wait: wait.since, default=None)

    @property
    def single_writer(self) -> bool:
        """Whether the database takes one writer at a time (SQLite): no batches side by side."""
        bind = self.session_factory.kw.get("bind")
        return not isinstance(bind, AsyncEngine) or bind.dialect.name == "sqlite"

    @property
    def event_types(self) -> list[str]:
        """The event types this applier has handlers for."""
        return self.handlers.event_types

    async def apply_raw(self, raw: bytes | None, *, wait: Wait | None = None) -> Result:
        """Parse and apply one record (see `apply` for `wait` and the retries)."""
        event = _parsed(raw)
        if isinstance(event, tuple):
            return event
        return await self.apply(event, wait=wait)

    async def apply_batch(
        self, raws: Sequence[bytes | None], *, wait: Wait | None = None
    ) -> list[Result]:
        """Apply records in one transaction; one result per record, in their order.

        Records that are not CloudEvents are dead-lettered and types without a handler
        ignored, as by `apply_raw`; an id seen twice is applied once. An infrastructure error
        is waited out as by `apply`, then the whole batch is tried again; when `wait` answers
        False every record still to apply is INTERRUPTED. Any other error rolls the batch back
        and applies its events one by one with `apply`, so only those that cannot apply are
        dead-lettered; once one is INTERRUPTED, those behind it are too (order per key).
        """
        # Overwritten below; a record left unsettled by a bug would be delivered again.
        results: list[Result] = [(Outcome.INTERRUPTED, None)] * len(raws)
        pending: list[_Pending] = []
        for index, raw in enumerate(raws):
            event = _parsed(raw)
            if isinstance(event, tuple):
                results[index] = event
            elif event.type not in self.handlers:
                results[index] = (Outcome.IGNORED, None)
            else:
                pending.append(_Pending(index, event, self._consumed(event)))
        if pending:
            try:
                applied = await self._apply_pending(pending, wait or _sleep)
            finally:
                self._waits.pop(_task_key(), None)
            for item, result in zip(pending, applied, strict=True):
                results[item.index] = result
        return results

    def _consumed(self, event: CloudEvent) -> Consumed[EventPayload] | ValidationError:
        try:
            return self.handlers.parse(event)
        except ValidationError as exc:
            return exc  # dead-lettered unless already processed, as `apply` decides

    async def apply(self, event: CloudEvent, *, wait: Wait | None = None) -> Result:
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
        try:
            with _in_context_of(event):
                return await self._apply_with_retries(event, wait or _sleep)
        finally:
            self._waits.pop(_task_key(), None)

    async def _apply_with_retries(self, event: CloudEvent, wait: Wait) -> Result:
        attempt = 0  # failures of the event or handler itself, bounded by max_attempts
        outages = 0  # infrastructure failures in a row, unbounded
        extra = {"event_id": event.id, "event_type": event.type}
        while True:
            try:
                applied = await self._apply_once(event)
                self._log_recovery(outages, "event applied", extra)
                return (Outcome.APPLIED if applied else Outcome.DUPLICATE), None
            except (PermanentEventError, ValidationError) as exc:
                return _failed(exc)
            except Exception as exc:
                if is_infrastructure_error(exc):
                    outages += 1
                    if not await self._wait_out(exc, outages, wait, extra):
                        return Outcome.INTERRUPTED, None
                    continue
                attempt += 1
                if attempt >= self.max_attempts:
                    log.exception("giving up on event after %d attempts", attempt, extra=extra)
                    return _failed(exc)
                log.warning(
                    "event handler failed (attempt %d), retrying: %s", attempt, exc, extra=extra
                )
                if not await wait(self.retry_backoff * 2 ** (attempt - 1)):
                    return Outcome.INTERRUPTED, None

    async def _apply_pending(self, pending: list[_Pending], wait: Wait) -> list[Result]:
        outages = 0  # infrastructure failures in a row, unbounded
        extra = {"batch_size": len(pending), "first_event_id": pending[0].event.id}
        while True:
            try:
                results = await self._apply_batch_once(pending)
                self._log_recovery(outages, "batch applied", extra)
                return results
            except Exception as exc:
                if is_infrastructure_error(exc):
                    outages += 1
                    if not await self._wait_out(exc, outages, wait, extra):
                        return [(Outcome.INTERRUPTED, None)] * len(pending)
                    continue
                log.warning(
                    "a batch of %d events failed (%s: %s); applying them one by one",
                    len(pending),
                    type(exc).__name__,
                    exc,
                    extra=extra,
                )
                return await self._apply_one_by_one(pending, wait)

    async def _apply_one_by_one(self, pending: list[_Pending], wait: Wait) -> list[Result]:
        results: list[Result] = []
        for item in pending:
            interrupted = bool(results) and results[-1][0] is Outcome.INTERRUPTED
            results.append(
                (Outcome.INTERRUPTED, None)
                if interrupted
                else await self.apply(item.event, wait=wait)
            )
        return results

    async def _wait_out(
        self, exc: BaseException, outages: int, wait: Wait, extra: dict[str, Any]
    ) -> bool:
        """Back off after the `outages`-th infrastructure error in a row; False: give up."""
        waiting = self._waits.setdefault(
            _task_key(), Waiting(_what_failed(exc), datetime.now(UTC), exc)
        )
        delay = min(self.outage_backoff * 2 ** (outages - 1), self.outage_backoff_max)
        log.warning(
            "waiting for %s (failure %d, retrying in %.1fs): %s: %s",
            waiting.what,
            outages,
            delay,
            type(exc).__name__,
            exc,
            extra=extra,
        )
        return await wait(delay)

    def _log_recovery(self, outages: int, what: str, extra: dict[str, Any]) -> None:
        waiting = self._waits.get(_task_key())
        if waiting is not None:
            log.warning(
                "%s is back after %d failed attempts; %s",
                waiting.what,
                outages,
                what,
                extra=extra,
            )

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
            await session.execute(insert(processed).values(self._processed_row(event)))
            await self.handlers.dispatch(session, event)
        return True

    async def _apply_batch_once(self, pending: list[_Pending]) -> list[Result]:
        results: list[Result] = []
        fresh: list[tuple[CloudEvent, Consumed[EventPayload]]] = []
        async with self.session_factory() as session, unit_of_work(session):
            seen = await self._processed_ids(session, [item.event.id for item in pending])
            for item in pending:
                if item.event.id in seen:
                    results.append((Outcome.DUPLICATE, None))
                elif isinstance(item.consumed, ValidationError):
                    results.append(_failed(item.consumed))
                else:
                    seen.add(item.event.id)  # a second copy in this batch is a duplicate
                    fresh.append((item.event, item.consumed))
                    results.append((Outcome.APPLIED, None))
            if fresh:
                rows = [self._processed_row(event) for event, _ in fresh]
                await session.execute(insert(self.tables.processed_events), rows)
            for event, consumed in fresh:
                with _in_context_of(event):
                    await self.handlers.run(session, consumed)
        return results

    async def _processed_ids(self, session: AsyncSession, event_ids: list[str]) -> set[str]:
        """Which of the ids this consumer has already processed (one query per thousand)."""
        processed = self.tables.processed_events
        unique = list(dict.fromkeys(event_ids))
        seen: set[str] = set()
        for start in range(0, len(unique), _IDS_PER_LOOKUP):
            seen.update(
                await session.scalars(
                    select(processed.c.event_id).where(
                        processed.c.consumer == self.consumer,
                        processed.c.event_id.in_(unique[start : start + _IDS_PER_LOOKUP]),
                    )
                )
            )
        return seen

    def _processed_row(self, event: CloudEvent) -> dict[str, Any]:
        return {
            "consumer": self.consumer,
            "event_id": event.id,
            "event_type": event.type,
            "processed_at": datetime.now(UTC),
        }
