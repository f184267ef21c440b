"""Two clients deleting one subscription with the same If-Match at the same moment, on
PostgreSQL: exactly one succeeds, the other gets 412, and one audit record tells of it.

The proof that they really overlap holds no clock: a separate connection locks the row first,
both requests are seen waiting on that lock (pg_stat_activity), and only then is it released.
The use case reads the subscription FOR UPDATE, so the second request reads it only once the
first one committed, finds it deleted, and its If-Match no longer matches. Without the lock
both would read the live row, both checks would pass, and both would answer 204.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from pmo_common.db.engine import create_database_engine
from pmo_notifications.migrate import migrate
from pmo_stack.testkit.postgres_locks import DEADLINE, wait_until_blocked
from sqlalchemy import text

pytestmark = pytest.mark.integration


async def test_two_deletions_with_the_same_etag_one_wins_one_gets_412(
    run_notifications: Any, make_database: Callable[[str], str]
) -> None:
    url = make_database("notifications_if_match_race")
    await asyncio.to_thread(migrate, url)
    engine = create_database_engine(url)
    try:
        async with run_notifications(database_url=url) as notifications:
            admin = notifications.auth()
            body = {
                "channel": "email",
                "target": "ada@example.com",
                "event_types": ["alert.raised"],
            }
            created = await notifications.client.post("/v1/subscriptions", headers=admin, json=body)
            assert created.status_code == 201, created.text
            subscription_id = created.json()["id"]
            path = f"/v1/subscriptions/{subscription_id}"
            read = await notifications.client.get(path, headers=admin)
            same_tag = {**admin, "If-Match": read.headers["etag"]}

            async with engine.connect() as holder:
                await holder.execute(
                    text("SELECT id FROM subscriptions WHERE id = :id FOR UPDATE"),
                    {"id": subscription_id},
                )
                deletions = [
                    asyncio.create_task(notifications.client.delete(path, headers=same_tag))
                    for _ in range(2)
                ]
                await wait_until_blocked(engine, waiters=2)
                await holder.rollback()
            async with asyncio.timeout(DEADLINE):
                answers = await asyncio.gather(*deletions)

            assert sorted(answer.status_code for answer in answers) == [204, 412]
            (refused,) = [answer for answer in answers if answer.status_code == 412]
            assert refused.headers["content-type"].startswith("application/problem+json")
            assert "does not exist" in refused.json()["detail"]
            trail = await notifications.client.get(
                "/v1/audit", headers=admin, params={"resource_id": subscription_id}
            )
            actions = [record["action"] for record in trail.json()["items"]]
            assert actions == ["subscription.deleted", "subscription.created"]
    finally:
        await engine.dispose()
