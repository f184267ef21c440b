"""The outbox: events stored in the caller's transaction, the relay woken on commit."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import pytest
from pmo_common.db.engine import create_session_factory
from pmo_common.events.envelope import CloudEvent
from pmo_common.messaging.kafka_publisher import KafkaPublisher, OutgoingMessage
from pmo_common.messaging.outbox import EventOutbox, OutboxRelay, outbox_session_info
from pmo_common.messaging.tables import MessagingTables
from pmo_stack.testkit.consuming import running
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker


@dataclass
class Outbox:
    engine: AsyncEngine
    tables: MessagingTables
    wakes: list[int] = field(default_factory=list)

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        return create_session_factory(
            self.engine, outbox_session_info(lambda: self.wakes.append(1))
        )

    @property
    def writer(self) -> EventOutbox:
        return EventOutbox("intake", self.tables)

    def sessions_waking(self, relay: OutboxRelay) -> async_sessionmaker[AsyncSession]:
        """Sessions whose commits wake this relay, as the service runtime wires them."""
        return create_session_factory(self.engine, outbox_session_info(relay.wake))

    async def rows(self) -> list[Any]:
        async with self.sessions() as session:
            query = select(self.tables.outbox).order_by(self.tables.outbox.c.id)
            return list((await session.execute(query)).all())


@pytest.fixture
def outbox(messaging_database: tuple[AsyncEngine, MessagingTables]) -> Outbox:
    return Outbox(*messaging_database)


def an_event(subject: str | None = "p-1", event_type: str = "project.closed") -> CloudEvent:
    return CloudEvent(
        source="/pmo/intake",
        type=event_type,
        subject=subject,
        correlationid="corr-1",
        traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        data={"project_id": subject},
    )


class FakePublisher:
    """Stands in for KafkaPublisher: records what it was asked to send, fails on request."""

    def __init__(self, failing_topics: frozenset[str] = frozenset()) -> None:
        self.sent: list[OutgoingMessage] = []
        self.failing_topics = failing_topics
        self.started = True
        self.sent_changed = asyncio.Condition()

    async def publish_many(self, messages: Sequence[OutgoingMessage]) -> list[BaseException | None]:
        results: list[BaseException | None] = []
        for message in messages:
            if message.topic in self.failing_topics:
                results.append(TimeoutError(f"no ack for {message.topic}"))
            else:
                self.sent.append(message)
                results.append(None)
        async with self.sent_changed:
            self.sent_changed.notify_all()
        return results


def relay_for(
    outbox: Outbox, publisher: FakePublisher, batch_size: int = 200, poll_interval: float = 0.05
) -> OutboxRelay:
    return OutboxRelay(
        session_factory=outbox.sessions,
        tables=outbox.tables,
        publisher=cast(KafkaPublisher, publisher),
        batch_size=batch_size,
        poll_interval=poll_interval,
    )


async def test_an_event_is_stored_in_the_callers_transaction(outbox: Outbox) -> None:
    event = an_event()
    async with outbox.sessions() as session, session.begin():
        await outbox.writer.enqueue_envelope(session, event)
    (row,) = await outbox.rows()
    assert (row.event_id, row.topic, row.message_key) == (event.id, "project.closed", "p-1")
    assert CloudEvent.model_validate_json(row.payload) == event
    assert row.published_at is None
    assert row.attempts == 0


async def test_a_commit_that_wrote_an_event_wakes_the_relay_once(outbox: Outbox) -> None:
    async with outbox.sessions() as session, session.begin():
        await outbox.writer.enqueue_envelope(session, an_event())
        await outbox.writer.enqueue_envelope(session, an_event())
        assert outbox.wakes == []
    assert outbox.wakes == [1]
    async with outbox.sessions() as session, session.begin():
        await session.execute(select(1))
    assert outbox.wakes == [1]


async def test_a_rollback_stores_nothing_and_wakes_nobody(outbox: Outbox) -> None:
    async with outbox.sessions() as session:
        await outbox.writer.enqueue_envelope(session, an_event())
        await session.rollback()
        await session.commit()
    assert await outbox.rows() == []
    assert outbox.wakes == []


async def test_the_relay_publishes_in_order_with_headers_and_marks_rows(outbox: Outbox) -> None:
    events = [an_event(subject=f"p-{i % 2}") for i in range(5)]
    async with outbox.sessions() as session, session.begin():
        for event in events:
            await outbox.writer.enqueue_envelope(session, event)
    publisher = FakePublisher()
    relay = relay_for(outbox, publisher, batch_size=2)
    assert [await relay.publish_pending() for _ in range(4)] == [2, 2, 1, 0]
    assert [CloudEvent.model_validate_json(m.value).id for m in publisher.sent] == [
        e.id for e in events
    ]
    first = publisher.sent[0]
    assert (first.topic, first.key) == ("project.closed", "p-0")
    headers = dict(first.headers)
    assert headers["content-type"].startswith(b"application/cloudevents+json")
    assert headers["correlation-id"] == b"corr-1"
    assert headers["traceparent"] == events[0].traceparent.encode()  # type: ignore[union-attr]
    assert all(row.published_at is not None for row in await outbox.rows())


async def test_a_row_that_failed_stays_unsent_with_its_error(outbox: Outbox) -> None:
    async with outbox.sessions() as session, session.begin():
        await outbox.writer.enqueue_envelope(session, an_event(event_type="project.closed"))
        await outbox.writer.enqueue_envelope(session, an_event(event_type="project.updated"))
    failing = FakePublisher(failing_topics=frozenset({"project.updated"}))
    assert await relay_for(outbox, failing).publish_pending() == 1
    closed, updated = await outbox.rows()
    assert closed.published_at is not None
    assert updated.published_at is None
    assert updated.attempts == 1
    assert "no ack for project.updated" in updated.last_error
    healthy = FakePublisher()
    assert await relay_for(outbox, healthy).publish_pending() == 1
    assert [m.topic for m in healthy.sent] == ["project.updated"]


class GatedPublisher(FakePublisher):
    """Holds its first batch until released, so a test can commit while the relay is busy."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = asyncio.Event()
        self.release = asyncio.Event()

    async def publish_many(self, messages: Sequence[OutgoingMessage]) -> list[BaseException | None]:
        if not self.entered.is_set():
            self.entered.set()
            await self.release.wait()
        return await super().publish_many(messages)


async def wait_until_sent(publisher: FakePublisher, count: int, timeout: float = 10) -> None:
    async with asyncio.timeout(timeout), publisher.sent_changed:
        await publisher.sent_changed.wait_for(lambda: len(publisher.sent) >= count)


async def test_a_commit_during_a_relay_pass_is_not_left_for_the_next_poll(outbox: Outbox) -> None:
    # The poll interval is far longer than the deadline: only the commit's wake-up can
    # explain the second row being published in time.
    publisher = GatedPublisher()
    relay = relay_for(outbox, publisher, poll_interval=300)
    sessions = outbox.sessions_waking(relay)
    async with sessions() as session, session.begin():
        await outbox.writer.enqueue_envelope(session, an_event(subject="p-1"))
    async with running(relay, timeout=10):
        async with asyncio.timeout(10):
            await publisher.entered.wait()
        async with sessions() as session, session.begin():
            await outbox.writer.enqueue_envelope(session, an_event(subject="p-2"))
        publisher.release.set()
        await wait_until_sent(publisher, 2)
    assert [m.key for m in publisher.sent] == ["p-1", "p-2"]


async def test_the_relay_flushes_what_is_left_when_stopped(outbox: Outbox) -> None:
    publisher = FakePublisher()
    relay = relay_for(outbox, publisher)
    stop = asyncio.Event()
    stop.set()
    async with outbox.sessions() as session, session.begin():
        await outbox.writer.enqueue_envelope(session, an_event())
    await asyncio.wait_for(relay.run(stop), timeout=10)
    assert len(publisher.sent) == 1


async def test_the_running_relay_publishes_what_a_commit_wakes_it_for(outbox: Outbox) -> None:
    publisher = FakePublisher()
    relay = relay_for(outbox, publisher, poll_interval=300)
    sessions = outbox.sessions_waking(relay)
    async with running(relay, timeout=10):
        for count in (1, 2):
            async with sessions() as session, session.begin():
                await outbox.writer.enqueue_envelope(session, an_event())
            await wait_until_sent(publisher, count)
