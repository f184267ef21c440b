"""Batched claims and batched outcomes on real PostgreSQL, with two replicas at once.

The delivery job claims due attempts in batches, holds those whose receiver is busy, and records
the outcomes of sends that end together in one transaction. Two replicas draining one backlog
must still send each message exactly once; and a batch of outcomes records only the attempts
whose claims its replica still holds, leaving one re-claimed after its lease ran out to its new
owner.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from pmo_common.db.engine import create_database_engine, create_session_factory
from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.messaging.waiting import wait_any
from pmo_notifications.channels.registry import open_channels
from pmo_notifications.config import NotificationsSettings
from pmo_notifications.db.delivery_repository import (
    AttemptEnd,
    claim_due_deliveries,
    finish_attempts,
    insert_planned_deliveries,
)
from pmo_notifications.db.tables import deliveries, messaging, subscriptions
from pmo_notifications.domain.clock import utc_now
from pmo_notifications.domain.delivery_schedule import DELIVERED, PENDING, PlannedDelivery
from pmo_notifications.handlers.delivery_dispatcher import DeliveryDispatcher
from pmo_notifications.handlers.delivery_signal import delivery_signal
from pmo_notifications.migrate import migrate
from pmo_stack.testkit import eventually
from pmo_stack.webhook_receiver import WebhookReceiver
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

pytestmark = pytest.mark.integration

PROJECTS = 8
MESSAGES_PER_PROJECT = 5


@dataclass
class Database:
    url: str
    sessions: async_sessionmaker[AsyncSession]


@pytest.fixture
async def database(make_database: Callable[[str], str]) -> AsyncIterator[Database]:
    url = make_database("notifications_batches")
    # Alembic runs through asyncio.run, so it needs a thread with no running event loop.
    await asyncio.to_thread(migrate, url)
    engine = create_database_engine(url)
    yield Database(url, create_session_factory(engine))
    await engine.dispose()


async def plan_webhooks(database: Database, target: str) -> list[str]:
    """PROJECTS projects with MESSAGES_PER_PROJECT webhooks each to `target`, all due, each
    project's planned a millisecond apart; the message ids."""
    start = utc_now() - timedelta(seconds=10)
    message_ids: list[str] = []
    async with database.sessions() as session, unit_of_work(session):
        subscription_id = str(uuid.uuid4())
        await session.execute(
            insert(subscriptions).values(
                id=subscription_id,
                owner="pmo",
                owner_email="pmo@example.com",
                channel="webhook",
                target=target,
                event_types=["project.at_risk"],
                project_id=None,
                portfolio_id=None,
                min_severity="info",
                secret="whsec_" + "b" * 32,
                created_at=start,
                deleted_at=None,
            )
        )
        for number in range(MESSAGES_PER_PROJECT):
            planned = [
                PlannedDelivery(
                    event_id=f"event-{project}-{number}",
                    event_type="project.at_risk",
                    alert_id=None,
                    project_id=f"project-{project}",
                    subscription_id=subscription_id,
                    channel="webhook",
                    target=target,
                    subject=None,
                    payload="{}",
                )
                for project in range(PROJECTS)
            ]
            ids = [f"msg-{project}-{number}" for project in range(PROJECTS)]
            at = start + timedelta(milliseconds=number)
            await insert_planned_deliveries(session, planned=planned, message_ids=ids, at=at)
            message_ids += ids
    return message_ids


async def replica(dispatcher: DeliveryDispatcher, stop: asyncio.Event) -> None:
    """One replica's delivery job: claim and send, woken by commits, until `stop`."""
    wake = delivery_signal.listen()
    try:
        while not stop.is_set():
            wake.clear()
            if await dispatcher.start_due() == 0:
                await wait_any(wake, stop, 0.2)
    finally:
        delivery_signal.forget(wake)
        await dispatcher.drain()


async def test_two_replicas_draining_one_backlog_send_each_message_once_in_order(
    database: Database, webhook_receiver: WebhookReceiver, tmp_path: Path
) -> None:
    message_ids = await plan_webhooks(database, f"{webhook_receiver.url}/hook")
    settings = NotificationsSettings(
        environment="test",
        database_url=database.url,
        data_dir=tmp_path,
        kafka_enabled=False,
        webhook_allow_private=True,
        # Fewer slots than the projects waiting: claims are held and handed back as well.
        webhook_max_concurrency_per_host=2,
    )
    stop = asyncio.Event()
    async with open_channels(settings) as first, open_channels(settings) as second:
        replicas = [
            asyncio.create_task(
                replica(
                    DeliveryDispatcher(
                        sessions=database.sessions, settings=settings, channels=channels
                    ),
                    stop,
                )
            )
            for channels in (first, second)
        ]

        async def all_delivered() -> bool:
            async with database.sessions() as session:
                left = await session.scalar(
                    select(func.count()).where(deliveries.c.status != DELIVERED)
                )
            return left == 0

        try:
            await eventually(all_delivered, within=60, what="every webhook delivered")
        finally:
            stop.set()
            await asyncio.gather(*replicas)

    arrived = [request.headers["webhook-id"] for request in webhook_receiver.requests]
    assert Counter(arrived) == Counter(message_ids), "each message sent exactly once"
    for project in range(PROJECTS):
        mine = [message for message in arrived if message.startswith(f"msg-{project}-")]
        assert mine == [f"msg-{project}-{number}" for number in range(MESSAGES_PER_PROJECT)]
    async with database.sessions() as session:
        reported = await session.scalar(
            select(func.count()).where(messaging.outbox.c.topic == "notification.delivered")
        )
    assert reported == len(message_ids), "one notification.delivered per delivery"


async def test_a_batch_of_outcomes_records_only_the_claims_its_replica_still_holds(
    database: Database,
) -> None:
    await plan_webhooks(database, "https://hooks.example.com/pmo")
    now = utc_now()
    async with database.sessions() as session, unit_of_work(session):
        # Replica A's claims run out a second after it took them...
        claimed = await claim_due_deliveries(
            session, now=now, lease_until=now + timedelta(seconds=1), token="a", limit=PROJECTS
        )
    later = now + timedelta(seconds=2)
    async with database.sessions() as session, unit_of_work(session):
        # ...and replica B takes one of them again.
        (taken,) = await claim_due_deliveries(
            session, now=later, lease_until=later + timedelta(seconds=30), token="b", limit=1
        )
    assert taken.id in {delivery.id for delivery in claimed}

    async with database.sessions() as session, unit_of_work(session):
        ends = [AttemptEnd(delivery.id, "a", DELIVERED, http_status=204) for delivery in claimed]
        finished = await finish_attempts(session, ends=ends, at=later)

    assert sorted(record.id for record in finished) == sorted(
        delivery.id for delivery in claimed if delivery.id != taken.id
    )
    assert all(record.status == DELIVERED for record in finished)
    async with database.sessions() as session:
        row = (await session.execute(select(deliveries).where(deliveries.c.id == taken.id))).one()
    assert (row.status, row.claim_token) == (PENDING, "b"), "left to the replica that holds it"
