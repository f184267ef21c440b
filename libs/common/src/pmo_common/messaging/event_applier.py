"""Applies a consumed event exactly once: the processed-event id is stored with the effect."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum

from pydantic import ValidationError
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.events.envelope import CloudEvent
from pmo_common.messaging.consumed_events import ConsumedEvents, PermanentEventError
from pmo_common.messaging.tables import MessagingTables
from pmo_common.observability import correlation_id_var, traceparent_var

__all__ = ["EventApplier", "Failure", "Outcome", "PermanentEventError"]
log = logging.getLogger(__name__)


class Outcome(Enum):
    """What became of one consumed record."""

    APPLIED = "applied"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    DEAD_LETTERED = "dead_lettered"


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a record could not be applied."""

    error: str
    error_type: str


@dataclass(kw_only=True, eq=False)
class EventApplier:
    """Runs the handler for an event in one transaction with its processed-event record."""

    consumer: str
    session_factory: async_sessionmaker[AsyncSession]
    tables: MessagingTables
    handlers: ConsumedEvents
    max_attempts: int = 3
    retry_backoff: float = 0.2

    @property
    def event_types(self) -> list[str]:
        """The event types this applier has handlers for."""
        return self.handlers.event_types

    async def apply_raw(self, raw: bytes | None) -> tuple[Outcome, Failure | None]:
        """Parse and apply one record, retrying transient failures a bounded number of times."""
        try:
            event = CloudEvent.from_bytes(raw or b"")
        except (ValidationError, ValueError) as exc:
            return Outcome.DEAD_LETTERED, Failure(f"not a CloudEvent: {exc}", type(exc).__name__)
        return await self.apply(event)

    async def apply(self, event: CloudEvent) -> tuple[Outcome, Failure | None]:
        """Apply a parsed event; returns the outcome and, when dead-lettered, why."""
        if event.type not in self.handlers:
            return Outcome.IGNORED, None
        correlation_token = correlation_id_var.set(event.correlationid)
        trace_token = traceparent_var.set(event.traceparent)
        try:
            return await self._apply_with_retries(event)
        finally:
            correlation_id_var.reset(correlation_token)
            traceparent_var.reset(trace_token)

    async def _apply_with_retries(self, event: CloudEvent) -> tuple[Outcome, Failure | None]:
        attempt = 0
        while True:
            attempt += 1
            try:
                applied = await self._apply_once(event)
                return (Outcome.APPLIED if applied else Outcome.DUPLICATE), None
            except (PermanentEventError, ValidationError) as exc:
                return Outcome.DEAD_LETTERED, Failure(str(exc), type(exc).__name__)
            except Exception as exc:
                if attempt >= self.max_attempts:
                    log.exception(
                        "giving up on event after %d attempts",
                        attempt,
                        extra={"event_id": event.id, "event_type": event.type},
                    )
                    return Outcome.DEAD_LETTERED, Failure(str(exc), type(exc).__name__)
                log.warning(
                    "event handler failed (attempt %d), retrying: %s",
                    attempt,
                    exc,
                    extra={"event_id": event.id, "event_type": event.type},
                )
                await asyncio.sleep(self.retry_backoff * 2 ** (attempt - 1))

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
