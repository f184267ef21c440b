"""The delivery log: visibility, and leases that keep two replicas from sending one row twice."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from pmo_notifications.domain.clock import utc_now
from pmo_notifications.domain.delivery_schedule import DELIVERED
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


async def test_a_claimed_row_is_not_claimed_again_until_its_lease_runs_out(
    delivery_log: Any,
) -> None:
    now = utc_now()
    await delivery_log.plan({"event_id": "e1", "project_id": "p1"}, message_ids=["msg_1"], at=now)
    first = await delivery_log.claim("replica-a", now=now)
    second = await delivery_log.claim("replica-b", now=now)
    assert [row.message_id for row in first] == ["msg_1"]
    assert second == []

    # Replica A crashed: once its lease has run out, replica B takes the row over...
    later = now + timedelta(seconds=31)
    taken_over = await delivery_log.claim("replica-b", now=later)
    assert [row.id for row in taken_over] == [first[0].id]
    # ...and a late answer from A no longer counts.
    stale, fresh = [
        await delivery_log.finish(first[0], token=token, status=DELIVERED, at=later)
        for token in ("replica-a", "replica-b")
    ]
    assert stale is None
    assert fresh is not None and fresh.status == DELIVERED
