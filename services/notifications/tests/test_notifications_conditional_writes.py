"""No lost updates in notifications: an ETag on subscriptions, escalation policies, silences
and alerts, and If-Match honoured on every write to them (412 problem when stale, and nothing
changes; absent, current or `*`: the write goes on)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

POLICIES = "/v1/escalation-policies"


def problem_412(answer: httpx.Response) -> dict[str, Any]:
    """The body of a 412 problem answer."""
    assert answer.status_code == 412, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = answer.json()
    assert body["status"] == 412
    return body


def with_tag(headers: dict[str, str], tag: str) -> dict[str, str]:
    return {**headers, "If-Match": tag}


async def test_a_subscription_is_deleted_only_as_read(notifications: Any) -> None:
    admin = notifications.auth()
    body = {
        "channel": "webhook",
        "target": "http://127.0.0.1:9/hook",
        "event_types": ["alert.raised"],
    }
    created = await notifications.client.post("/v1/subscriptions", headers=admin, json=body)
    assert created.status_code == 201, created.text
    assert created.json()["secret"]  # shown on creation only, so not part of the tag
    path = f"/v1/subscriptions/{created.json()['id']}"
    read = await notifications.client.get(path, headers=admin)
    assert read.headers["etag"] == created.headers["etag"]

    for stale in ('"not-it"', f"W/{read.headers['etag']}"):
        problem_412(await notifications.client.delete(path, headers=with_tag(admin, stale)))
    assert (await notifications.client.get(path, headers=admin)).status_code == 200

    deleted = await notifications.client.delete(path, headers=with_tag(admin, read.headers["etag"]))
    assert deleted.status_code == 204
    assert (await notifications.client.get(path, headers=admin)).status_code == 404

    other = await notifications.client.post("/v1/subscriptions", headers=admin, json=body)
    wildcard = with_tag(admin, "*")
    other_path = f"/v1/subscriptions/{other.json()['id']}"
    assert (await notifications.client.delete(other_path, headers=wildcard)).status_code == 204


async def test_an_escalation_policy_changes_only_as_read(notifications: Any) -> None:
    admin = notifications.auth()
    body = {
        "name": "Digital ladder",
        "portfolio_id": f"pf-{uuid.uuid4().hex[:8]}",
        "levels": [{"after_seconds": 3600, "notify": ["sponsor"]}],
    }
    created = await notifications.client.post(POLICIES, headers=admin, json=body)
    assert created.status_code == 201, created.text
    path = f"{POLICIES}/{created.json()['id']}"
    first = await notifications.client.get(path, headers=notifications.auth("viewer"))
    assert first.headers["etag"] == created.headers["etag"]

    renamed = await notifications.client.put(
        path, headers=with_tag(admin, first.headers["etag"]), json=body | {"name": "Renamed"}
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.headers["etag"] != first.headers["etag"]

    stale = with_tag(admin, first.headers["etag"])
    problem_412(await notifications.client.put(path, headers=stale, json=body | {"name": "Lost"}))
    problem_412(await notifications.client.delete(path, headers=stale))
    current = await notifications.client.get(path, headers=admin)
    assert current.json()["name"] == "Renamed"
    assert current.headers["etag"] == renamed.headers["etag"]

    assert (
        await notifications.client.delete(path, headers=with_tag(admin, "*"))
    ).status_code == 204


async def test_a_silence_is_deleted_only_as_read(notifications: Any) -> None:
    manager = await notifications.member("pf-1")  # a manager of the portfolio silenced
    ends = (datetime.now(UTC) + timedelta(hours=4)).isoformat()
    body = {"portfolio_id": "pf-1", "reason": "Quarter close", "ends_at": ends}
    created = await notifications.client.post("/v1/silences", headers=manager, json=body)
    assert created.status_code == 201, created.text
    path = f"/v1/silences/{created.json()['id']}"
    read = await notifications.client.get(path, headers=manager)
    assert read.headers["etag"] == created.headers["etag"]

    problem_412(await notifications.client.delete(path, headers=with_tag(manager, '"old"')))
    assert (await notifications.client.get(path, headers=manager)).status_code == 200
    current = with_tag(manager, read.headers["etag"])
    assert (await notifications.client.delete(path, headers=current)).status_code == 204
    assert (await notifications.client.get(path, headers=manager)).status_code == 404


async def test_an_alert_is_acknowledged_and_resolved_only_as_read(
    notifications: Any, notifications_payloads: Any
) -> None:
    project_id = str(uuid.uuid4())
    await notifications.apply("project.at_risk", notifications_payloads.at_risk(project_id))
    admin = notifications.auth()
    listed = await notifications.client.get(
        "/v1/alerts", headers=admin, params={"project_id": project_id}
    )
    path = f"/v1/alerts/{listed.json()['items'][0]['id']}"
    opened = await notifications.client.get(path, headers=admin)
    assert opened.headers["etag"].startswith('"')

    acknowledged = await notifications.client.post(
        f"{path}/acknowledge", headers=with_tag(admin, opened.headers["etag"])
    )
    assert acknowledged.status_code == 200, acknowledged.text
    assert acknowledged.headers["etag"] != opened.headers["etag"]

    # Someone else read it before the acknowledgement: their resolve must not go through.
    stale = with_tag(admin, opened.headers["etag"])
    problem = problem_412(
        await notifications.client.post(f"{path}/resolve", headers=stale, json={"note": "Done"})
    )
    assert acknowledged.headers["etag"] in problem["detail"]
    still = await notifications.client.get(path, headers=admin)
    assert still.json()["status"] == "acknowledged"
    assert still.headers["etag"] == acknowledged.headers["etag"]
    assert await notifications.outbox_types("alert.") == ["alert.raised", "alert.acknowledged"]

    resolved = await notifications.client.post(f"{path}/resolve", headers=with_tag(admin, "*"))
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["status"] == "resolved"
