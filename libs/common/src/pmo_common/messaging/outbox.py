"""The transactional outbox: events are stored with the state change, then relayed to Kafka."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import event as sa_event
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from pmo_common.db.engine import database_lock
from pmo_common.events.catalog import EventSpec
from pmo_common.events.envelope import CLOUDEVENTS_CONTENT_TYPE, CloudEvent, build_event
from pmo_common.events.payloads import EventPayload
from pmo_common.messaging.kafka_publisher import KafkaPublisher, OutgoingMessage
from pmo_common.messaging.tables import MessagingTables
from pmo_common.messaging.waiting import sleep_or_stop, wait_any
from pmo_common.web.metrics import OUTBOX_PUBLISHED

log = logging.getLogger(__name__)
_PENDING_FLAG = "pmo_outbox_pending"
_WAKE_CALLBACK = "pmo_outbox_wake"
P = TypeVar("P", bound=EventPayload)


@dataclass(frozen=True, slots=True)
class EventOutbox:
    """A service's outbox: the one way its routes, consumers and jobs write an event.

    `enqueue` stores the event in the caller's transaction; the relay publishes it once that
    transaction commits. Each service declares one (`db/outbox.py`), so nothing needs a runtime
    or a callable passed down to write an event.
    """

    service: str
    tables: MessagingTables

    async def enqueue(
        self,
        session: AsyncSession,
        spec: EventSpec[P],
        payload: P,
        *,
        subject: str | None,
    ) -> CloudEvent:
        """Wrap the payload in a CloudEvent, store it for the relay (key = subject), return it."""
        if not isinstance(payload, spec.payload):
            raise TypeError(
                f"{spec.type} carries {spec.payload.__name__}, not {type(payload).__name__}"
            )
        event = build_event(
            service=self.service,
            event_type=spec.type,
            data=payload,
            subject=subject,
            schema_version=spec.version,
        )
        await self.enqueue_envelope(session, event)
        return event

    async def enqueue_envelope(self, session: AsyncSession, event: CloudEvent) -> None:
        """Store an already-built envelope (tests and replays); prefer `enqueue`."""
        await session.execute(
            insert(self.tables.outbox).values(
                event_id=event.id,
                topic=event.type,
                message_key=event.subject,
                payload=event.to_bytes().decode(),
                created_at=datetime.now(UTC),
                attempts=0,
            )
        )
        session.sync_session.info[_PENDING_FLAG] = True


@sa_event.listens_for(Session, "after_commit")
def _wake_relay_after_commit(session: Session) -> None:
    # Wake the relay as soon as a transaction that wrote to the outbox commits, so delivery
    # latency is not bounded by the polling interval.
    if session.info.pop(_PENDING_FLAG, False):
        wake = session.info.get(_WAKE_CALLBACK)
        if wake is not None:
            wake()


@sa_event.listens_for(Session, "after_rollback")
def _forget_pending_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING_FLAG, None)


def outbox_session_info(wake: Callable[[], None]) -> dict[str, object]:
    """Session info that makes committed outbox writes wake the relay."""
    return {_WAKE_CALLBACK: wake}


def _headers(event: CloudEvent) -> tuple[tuple[str, bytes], ...]:
    headers = [("content-type", CLOUDEVENTS_CONTENT_TYPE.encode())]
    if event.correlationid:
        headers.append(("correlation-id", event.correlationid.encode()))
    if event.traceparent:
        headers.append(("traceparent", event.traceparent.encode()))
    return tuple(headers)


@dataclass(kw_only=True, eq=False)
class OutboxRelay:
    """Publishes unsent outbox rows in order, retrying rows whose publication failed."""

    session_factory: async_sessionmaker[AsyncSession]
    tables: MessagingTables
    publisher: KafkaPublisher
    batch_size: int = 200
    poll_interval: float = 1.0
    _wake: asyncio.Event = field(default_factory=asyncio.Event, init=False)

    def wake(self) -> None:
        """Ask the relay to look for new rows now."""
        self._wake.set()

    async def publish_pending(self) -> int:
        """Publish one batch of unsent rows; returns how many were published.

        One pass at a time per database, whatever the number of replicas: two passes reading
        the same unsent rows would both publish them, and a pass skipping the rows another
        holds (SKIP LOCKED) would publish a key's later events before its earlier ones. A
        replica that finds the lock taken returns 0 and looks again on its next wake-up or
        poll (at worst a poll interval later for rows the holder's pass did not see).
        """
        async with (
            self.session_factory() as session,
            database_lock(session, f"outbox-relay-{self.tables.outbox.fullname}") as held,
        ):
            if not held:
                return 0
            published = await self._publish_batch(session)
            # Inside the lock: the next holder must find these rows marked as published.
            await session.commit()
            return published

    async def _publish_batch(self, session: AsyncSession) -> int:
        outbox = self.tables.outbox
        rows = (
            await session.execute(
                select(outbox.c.id, outbox.c.topic, outbox.c.message_key, outbox.c.payload)
                .where(outbox.c.published_at.is_(None))
                .order_by(outbox.c.id)
                .limit(self.batch_size)
                # Redundant beside the lock, but it keeps a relay of an earlier release (row
                # locks and SKIP LOCKED) off these rows during a rolling upgrade.
                .with_for_update()
            )
        ).all()
        if not rows:
            return 0
        messages = []
        for row in rows:
            event = CloudEvent.model_validate_json(row.payload)
            messages.append(
                OutgoingMessage(row.topic, row.message_key, row.payload.encode(), _headers(event))
            )
        results = await self.publisher.publish_many(messages)
        now = datetime.now(UTC)
        sent = [row.id for row, error in zip(rows, results, strict=True) if error is None]
        if sent:
            await session.execute(
                update(outbox).where(outbox.c.id.in_(sent)).values(published_at=now)
            )
        for row, error in zip(rows, results, strict=True):
            if error is not None:
                await session.execute(
                    update(outbox)
                    .where(outbox.c.id == row.id)
                    .values(attempts=outbox.c.attempts + 1, last_error=repr(error)[:2000])
                )
        OUTBOX_PUBLISHED.inc(len(sent))
        if len(sent) < len(rows):
            log.warning("outbox publication failed for %d rows", len(rows) - len(sent))
        return len(sent)

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until `stop` is set, then flush what is left."""
        while not stop.is_set():
            # Clear before the pass, not after: a commit landing during the pass sets the
            # event again, and clearing it afterwards would leave its rows for the next poll.
            self._wake.clear()
            try:
                if not self.publisher.started:
                    await self.publisher.start()
                while await self.publish_pending() >= self.batch_size:
                    pass
            except Exception:
                log.exception("outbox relay pass failed; retrying")
                await sleep_or_stop(stop, 2.0)
                continue
            await wait_any(self._wake, stop, self.poll_interval)
        await self.flush()

    async def flush(self) -> None:
        """Publish every unsent row now (at shutdown); a no-op when the producer never started."""
        try:
            if self.publisher.started:
                while await self.publish_pending() > 0:
                    pass
        except Exception:
            log.exception("outbox flush at shutdown failed; rows stay for the next start")
