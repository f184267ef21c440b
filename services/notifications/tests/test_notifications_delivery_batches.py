"""Sends and their outcomes in batches: outcomes that end together are written together (group
commit), and a receiver at its cap keeps the next claims in the replica until a send ends.

The group commit is tested as plain asyncio; the held claims with the delivery job's dispatcher
on a migrated SQLite file against a real HTTP receiver on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from pmo_common.db.engine import create_database_engine, create_session_factory
from pmo_notifications.channels.registry import open_channels
from pmo_notifications.config import NotificationsSettings
from pmo_notifications.db.delivery_repository import insert_planned_deliveries
from pmo_notifications.db.tables import deliveries
from pmo_notifications.domain.clock import utc_now
from pmo_notifications.domain.delivery_schedule import DELIVERED, PENDING, PlannedDelivery
from pmo_notifications.handlers.delivery_dispatcher import DeliveryDispatcher
from pmo_notifications.handlers.group_commit import GroupCommit
from pmo_stack.testkit import eventually
from pmo_stack.webhook_receiver import WebhookReceiver
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

# --- group commit ------------------------------------------------------------------------------


@dataclass
class Writer:
    """Records each batch it is given; the first write announces itself (`started`) and waits
    for `release`; a batch holding `poison` fails."""

    started: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    poison: str = "poison"
    batches: list[list[str]] = field(default_factory=list)

    async def write(self, batch: list[str]) -> None:
        if not self.started.is_set():
            self.started.set()
            await self.release.wait()
        self.batches.append(batch)
        if self.poison in batch:
            raise ValueError(f"cannot write {self.poison}")


async def submitted_during_a_write(
    later: Sequence[str], *, max_batch: int = 10
) -> tuple[Writer, list[BaseException | None]]:
    """Submit "a", then `later` while "a" is being written; the writer, and what each submit
    returned or raised (in submission order)."""
    writer = Writer()
    commit = GroupCommit(writer.write, max_batch=max_batch)
    first = asyncio.create_task(commit.submit("a"))
    await writer.started.wait()
    others = [asyncio.create_task(commit.submit(item)) for item in later]
    writer.release.set()
    results = await asyncio.gather(first, *others, return_exceptions=True)
    return writer, list(results)


async def test_items_submitted_during_a_write_are_written_together_next() -> None:
    writer, results = await submitted_during_a_write(["b", "c", "d"])
    assert results == [None] * 4
    assert writer.batches == [["a"], ["b", "c", "d"]]


async def test_a_batch_is_never_larger_than_its_maximum() -> None:
    writer, _ = await submitted_during_a_write(["b", "c", "d", "e"], max_batch=2)
    assert writer.batches == [["a"], ["b", "c"], ["d", "e"]]


async def test_an_item_that_cannot_be_written_fails_alone() -> None:
    writer, results = await submitted_during_a_write(["b", "poison", "c"])
    assert results[:2] == [None, None] and results[3] is None
    assert isinstance(results[2], ValueError)
    # The batch failed as a whole, then each item was written on its own.
    assert writer.batches == [["a"], ["b", "poison", "c"], ["b"], ["poison"], ["c"]]


async def test_drain_waits_for_every_item_submitted() -> None:
    writer = Writer()
    commit = GroupCommit(writer.write, max_batch=10)
    first = asyncio.create_task(commit.submit("a"))
    await writer.started.wait()
    second = asyncio.create_task(commit.submit("b"))
    draining = asyncio.create_task(commit.drain())
    writer.release.set()
    await draining
    assert writer.batches == [["a"], ["b"]]
    await asyncio.gather(first, second)


# --- claims held for a busy receiver -----------------------------------------------------------


@dataclass
class Backlog:
    """Webhooks planned on the service's migrated database, one project each, oldest first."""

    sessions: async_sessionmaker[AsyncSession]
    message_ids: list[str]

    async def rows(self) -> dict[str, Any]:
        """Each planned delivery's row, by message id."""
        async with self.sessions() as session:
            found = await session.execute(
                select(deliveries).where(deliveries.c.message_id.in_(self.message_ids))
            )
            return {row.message_id: row for row in found}


@pytest.fixture
async def backlog(
    notifications_settings: NotificationsSettings,
    run_notifications: Any,
    webhook_receiver: WebhookReceiver,
) -> AsyncIterator[Backlog]:
    """Three webhooks to one receiver, all due, planned a second apart, each signed by a live
    subscription (made through the API; the app is stopped again, so nothing else sends)."""
    target = f"{webhook_receiver.url}/hook"
    message_ids = [f"msg_{index}" for index in range(3)]
    async with run_notifications() as app:
        subscribed = [
            await app.subscribe_webhook(target, f"p{index}", "project.at_risk")
            for index in range(len(message_ids))
        ]
    engine = create_database_engine(notifications_settings.database_url)
    sessions = create_session_factory(engine)
    start = utc_now() - timedelta(seconds=10)
    async with sessions() as session, session.begin():
        for index, (message_id, subscription) in enumerate(
            zip(message_ids, subscribed, strict=True)
        ):
            planned = PlannedDelivery(
                event_id=f"e{index}",
                event_type="project.at_risk",
                alert_id=None,
                project_id=f"p{index}",
                subscription_id=subscription["id"],
                channel="webhook",
                target=target,
                subject=None,
                payload="{}",
            )
            at = start + timedelta(seconds=index)
            await insert_planned_deliveries(
                session, planned=[planned], message_ids=[message_id], at=at
            )
    yield Backlog(sessions, message_ids)
    await engine.dispose()


async def test_a_busy_receiver_gets_its_next_claim_when_a_send_ends_without_handing_it_back(
    notifications_settings: NotificationsSettings,
    webhook_receiver: WebhookReceiver,
    backlog: Backlog,
) -> None:
    # One send at a time to the receiver: of the three claimed at once, the first goes, the
    # second waits in the replica (its queue is as deep as the cap), the third is handed back.
    settings = notifications_settings.model_copy(update={"webhook_max_concurrency_per_host": 1})
    async with open_channels(settings) as channels:
        dispatcher = DeliveryDispatcher(
            sessions=backlog.sessions, settings=settings, channels=channels
        )
        assert await dispatcher.start_due() == 1
        first, second, third = backlog.message_ids

        async def two_delivered() -> dict[str, Any] | None:
            rows = await backlog.rows()
            delivered = [rows[first].status, rows[second].status] == [DELIVERED, DELIVERED]
            return rows if delivered else None

        # Nothing else claims: the second is sent only because the replica kept it.
        rows = await eventually(two_delivered, what="the first two webhooks delivered")
        await dispatcher.drain()
    arrived = [request.headers.get("webhook-id") for request in webhook_receiver.requests]
    assert arrived == [first, second], "in the order they were claimed, one at a time"
    assert rows[second].claim_token == rows[first].claim_token, "sent on its first claim"
    assert (rows[third].status, rows[third].claim_token) == (PENDING, None), "handed back"
