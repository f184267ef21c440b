"""The delivery log: visibility, and leases that keep two replicas from sending one row twice."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from pmo_common.db.engine import create_database_engine, create_session_factory
from pmo_notifications.db.delivery_repository import (
    claim_due_deliveries,
    finish_attempt,
    insert_planned_deliveries,
)
from pmo_notifications.domain.clock import utc_now
from pmo_notifications.domain.delivery_schedule import DELIVERED, PlannedDelivery
from pmo_notifications.migrate import migrate
from pmo_stack.testkit import eventually


async def test_deliveries_are_visible_to_admins_and_to_the_projects_leads(
    notifications: Any, notifications_payloads: Any
) -> None:
    mine, theirs = str(uuid.uuid4()), str(uuid.uuid4())
    await notifications.apply("project.at_risk", notifications_payloads.at_risk(mine))
    await notifications.apply(
        "project.at_risk",
        notifications_payloads.at_risk(theirs, manager="bob@example.com", sponsor=None),
    )

    async def two_rows() -> Any:
        answer = await notifications.client.get("/v1/deliveries", headers=notifications.auth())
        return answer.json()["items"] if len(answer.json()["items"]) == 2 else None

    rows = await eventually(two_rows, what="both deliveries")
    assert {row["project_id"] for row in rows} == {mine, theirs}
    as_manager = await notifications.client.get(
        "/v1/deliveries", headers=notifications.auth("project_manager", "ada@example.com")
    )
    assert [row["project_id"] for row in as_manager.json()["items"]] == [mine]
    as_viewer = await notifications.client.get(
        "/v1/deliveries", headers=notifications.auth("viewer", "v@example.com")
    )
    assert as_viewer.json()["items"] == []
    filtered = await notifications.client.get(
        "/v1/deliveries", headers=notifications.auth(), params={"status": "failed"}
    )
    assert filtered.json()["items"] == []
    assert (await notifications.client.get("/v1/deliveries")).status_code == 401


@pytest.fixture
def notifications_lease_db(tmp_path: Any) -> str:
    """A migrated database for the lease test (migrations run outside the event loop)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'lease.db'}"
    migrate(url)
    return url


async def test_a_claimed_row_is_not_claimed_again_until_its_lease_runs_out(
    notifications_lease_db: str,
) -> None:
    engine = create_database_engine(notifications_lease_db)
    sessions = create_session_factory(engine)
    try:
        now = utc_now()
        async with sessions() as session, session.begin():
            await insert_planned_deliveries(
                session,
                planned=[
                    PlannedDelivery(
                        event_id="e1",
                        event_type="project.at_risk",
                        alert_id=None,
                        project_id="p1",
                        subscription_id=None,
                        channel="email",
                        target="ada@example.com",
                        subject="s",
                        payload="b",
                    )
                ],
                message_ids=["msg_1"],
                at=now,
            )
        lease = now + timedelta(seconds=30)
        async with sessions() as session, session.begin():
            first = await claim_due_deliveries(
                session, now=now, lease_until=lease, token="replica-a", limit=10
            )
        async with sessions() as session, session.begin():
            second = await claim_due_deliveries(
                session, now=now, lease_until=lease, token="replica-b", limit=10
            )
        assert [row.message_id for row in first] == ["msg_1"]
        assert second == []

        # Replica A crashed: once its lease has run out, replica B takes the row over...
        later = now + timedelta(seconds=31)
        async with sessions() as session, session.begin():
            taken_over = await claim_due_deliveries(
                session,
                now=later,
                lease_until=later + timedelta(seconds=30),
                token="replica-b",
                limit=10,
            )
        assert [row.id for row in taken_over] == [first[0].id]
        # ...and a late answer from A no longer counts.
        async with sessions() as session, session.begin():
            stale, fresh = [
                await finish_attempt(
                    session,
                    delivery_id=first[0].id,
                    token=token,
                    status=DELIVERED,
                    http_status=None,
                    error=None,
                    at=later,
                )
                for token in ("replica-a", "replica-b")
            ]
        assert stale is None
        assert fresh is not None and fresh.status == DELIVERED
    finally:
        await engine.dispose()
