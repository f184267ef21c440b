"""Two notifications replicas claim due deliveries side by side on real PostgreSQL.

`claim_due_deliveries` picks rows with `SELECT ... FOR UPDATE SKIP LOCKED`: while one replica's
claim transaction is open, another replica claiming at the same moment skips the rows it holds
and takes others, without waiting. Two claimers run concurrently on one migrated database; the
first keeps its transaction open until the second has claimed, so their claims really overlap.
No delivery may be claimed twice, and together they must claim every one. Without SKIP LOCKED
the second claimer blocks on the first one's rows (or takes the same ones), and the test fails.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

import pytest
from pmo_common.db.engine import create_database_engine, create_session_factory
from pmo_common.db.unit_of_work import unit_of_work
from pmo_notifications.db.delivery_repository import (
    claim_due_deliveries,
    insert_planned_deliveries,
)
from pmo_notifications.domain.clock import utc_now
from pmo_notifications.domain.delivery_schedule import PlannedDelivery
from pmo_notifications.migrate import migrate
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

pytestmark = pytest.mark.integration

DELIVERIES = 10
PER_CLAIM = 6  # more than half: each claimer wants rows the other one holds
OVERLAP_SECONDS = 5.0
LEASE = timedelta(seconds=60)


@pytest.fixture
async def sessions(
    make_database: Callable[[str], str],
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    url = make_database("notifications_claims")
    # Alembic runs through asyncio.run, so it needs a thread with no running event loop.
    await asyncio.to_thread(migrate, url)
    engine = create_database_engine(url)
    yield create_session_factory(engine)
    await engine.dispose()


async def _plan_due_deliveries(sessions: async_sessionmaker[AsyncSession]) -> list[str]:
    now = utc_now()
    planned = [
        PlannedDelivery(
            event_id=f"event-{index}",
            event_type="project.at_risk",
            alert_id=None,
            project_id="p-1",
            subscription_id=None,
            channel="email",
            target=f"person{index}@example.com",
            subject="s",
            payload="b",
        )
        for index in range(DELIVERIES)
    ]
    message_ids = [f"msg_{index}" for index in range(DELIVERIES)]
    async with sessions() as session, unit_of_work(session):
        await insert_planned_deliveries(session, planned=planned, message_ids=message_ids, at=now)
    return message_ids


async def test_two_replicas_claiming_at_once_never_take_the_same_delivery(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    message_ids = await _plan_due_deliveries(sessions)
    first_claimed = asyncio.Event()
    second_claimed = asyncio.Event()
    second_claimed_while_first_open: list[bool] = []

    async def claim(token: str, *, then: Callable[[], Awaitable[None]] | None = None) -> list[str]:
        # One replica's claim; `then` runs while its transaction (and row locks) is still open.
        now = utc_now()
        async with sessions() as session, unit_of_work(session):
            rows = await claim_due_deliveries(
                session, now=now, lease_until=now + LEASE, token=token, limit=PER_CLAIM
            )
            if then is not None:
                await then()
            return [row.message_id for row in rows]

    async def hold_until_second_claimed() -> None:
        first_claimed.set()
        # Give up after a while, so a blocked second claimer fails the test instead of hanging.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(second_claimed.wait(), OVERLAP_SECONDS)
        second_claimed_while_first_open.append(second_claimed.is_set())

    async def first_replica() -> list[str]:
        return await claim("replica-a", then=hold_until_second_claimed)

    async def second_replica() -> list[str]:
        await first_claimed.wait()
        claimed = await claim("replica-b")
        second_claimed.set()
        return claimed

    first, second = await asyncio.wait_for(
        asyncio.gather(first_replica(), second_replica()), OVERLAP_SECONDS * 4
    )

    assert second_claimed_while_first_open == [True], (
        "the second replica waited for the first one's transaction: claims are not side by side"
    )
    assert len(first) == PER_CLAIM
    assert len(second) == DELIVERIES - PER_CLAIM
    assert not set(first) & set(second), "a delivery was claimed by both replicas"
    assert sorted(first + second) == sorted(message_ids), "every due delivery is claimed"
    assert await claim("replica-c") == [], "nothing is left to claim while the leases hold"
