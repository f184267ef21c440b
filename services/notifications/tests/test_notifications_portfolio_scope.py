"""A portfolio manager acts on the alerts, silences, subscriptions and escalation policies of
their own portfolios only; any member reads their portfolios' alerts (docs/adr/0026)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from pmo_stack.testkit.portfolio_membership import (
    add_then_remove_then_replayed_add,
    membership_event,
)

NORTH, SOUTH = "pf-north", "pf-south"


def _in_hours(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


async def _alert_in(notifications: Any, payloads: Any, portfolio_id: str) -> tuple[str, str]:
    """A project of the portfolio at risk; (project id, its alert's id)."""
    project_id = str(uuid.uuid4())
    await notifications.apply(
        "project.at_risk", payloads.at_risk(project_id, portfolio_id=portfolio_id)
    )
    listed = await notifications.client.get(
        "/v1/alerts", headers=notifications.auth(), params={"project_id": project_id}
    )
    (alert,) = listed.json()["items"]
    return project_id, alert["id"]


async def test_a_portfolio_manager_silences_only_their_portfolios(
    notifications: Any, notifications_payloads: Any
) -> None:
    client = notifications.client
    north_project, _alert = await _alert_in(notifications, notifications_payloads, NORTH)
    south_manager = await notifications.member(SOUTH, "south@example.com")
    for body in ({"project_id": north_project}, {"portfolio_id": NORTH}):
        refused = await client.post(
            "/v1/silences",
            headers=south_manager,
            json={**body, "reason": "Not mine", "ends_at": _in_hours(2)},
        )
        assert refused.status_code == 403, (body, refused.text)
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert "do not manage" in refused.json()["detail"]
    north_manager = await notifications.member(NORTH, "north@example.com")
    created = await client.post(
        "/v1/silences",
        headers=north_manager,
        json={"project_id": north_project, "reason": "Re-plan", "ends_at": _in_hours(2)},
    )
    assert created.status_code == 201, created.text
    path = f"/v1/silences/{created.json()['id']}"
    assert (await client.delete(path, headers=south_manager)).status_code == 403
    assert (await client.delete(path, headers=north_manager)).status_code == 204


async def test_members_read_their_portfolios_alerts_and_only_managers_handle_them(
    notifications: Any, notifications_payloads: Any
) -> None:
    client = notifications.client
    _project, north_alert = await _alert_in(notifications, notifications_payloads, NORTH)
    await _alert_in(notifications, notifications_payloads, SOUTH)
    south_manager = await notifications.member(SOUTH, "south@example.com")
    read = await client.get(f"/v1/alerts/{north_alert}", headers=south_manager)
    assert read.status_code == 403, read.text
    acknowledge = f"/v1/alerts/{north_alert}/acknowledge"
    assert (await client.post(acknowledge, headers=south_manager)).status_code == 403

    viewer = await notifications.member(NORTH, "watcher@example.com", role="viewer")
    assert (await client.get(f"/v1/alerts/{north_alert}", headers=viewer)).status_code == 200
    listed = await client.get("/v1/alerts", headers=viewer)
    assert [item["id"] for item in listed.json()["items"]] == [north_alert]
    assert (await client.post(acknowledge, headers=viewer)).status_code == 403

    north_manager = await notifications.member(NORTH, "north@example.com")
    acknowledged = await client.post(acknowledge, headers=north_manager)
    assert acknowledged.status_code == 200, acknowledged.text


async def test_removal_revokes_and_a_replayed_older_addition_does_not_restore(
    notifications: Any, notifications_payloads: Any
) -> None:
    client = notifications.client
    _project, alert_id = await _alert_in(notifications, notifications_payloads, NORTH)
    email = "leaver@example.com"
    headers = notifications.auth("portfolio_manager", email)
    added, removed, replayed = add_then_remove_then_replayed_add(portfolio_id=NORTH, email=email)
    await notifications.apply_event(added)
    assert (await client.get(f"/v1/alerts/{alert_id}", headers=headers)).status_code == 200
    await notifications.apply_event(removed)
    await notifications.apply_event(replayed)
    assert (await client.get(f"/v1/alerts/{alert_id}", headers=headers)).status_code == 403
    silence = {"portfolio_id": NORTH, "reason": "Gone", "ends_at": _in_hours(1)}
    assert (await client.post("/v1/silences", headers=headers, json=silence)).status_code == 403
    # A later grant applies again.
    await notifications.apply_event(membership_event(portfolio_id=NORTH, email=email))
    assert (await client.post("/v1/silences", headers=headers, json=silence)).status_code == 201


async def test_a_portfolio_manager_subscribes_and_sets_policies_for_their_portfolios_only(
    notifications: Any,
) -> None:
    client = notifications.client
    manager = await notifications.member(NORTH, "north@example.com")
    hook = {
        "channel": "webhook",
        "target": "http://127.0.0.1:9/hook",
        "event_types": ["alert.raised"],
    }
    unfiltered = await client.post("/v1/subscriptions", headers=manager, json=hook)
    assert unfiltered.status_code == 403, unfiltered.text
    elsewhere = await client.post(
        "/v1/subscriptions", headers=manager, json={**hook, "portfolio_id": SOUTH}
    )
    assert elsewhere.status_code == 403, elsewhere.text
    own = await client.post(
        "/v1/subscriptions", headers=manager, json={**hook, "portfolio_id": NORTH}
    )
    assert own.status_code == 201, own.text

    policy = {
        "name": "Ladder",
        "levels": [{"after_seconds": 3600, "notify": ["sponsor"]}],
        "repeat": 1,
    }
    refused = await client.post(
        "/v1/escalation-policies", headers=manager, json={**policy, "portfolio_id": SOUTH}
    )
    assert refused.status_code == 403, refused.text
    created = await client.post(
        "/v1/escalation-policies", headers=manager, json={**policy, "portfolio_id": NORTH}
    )
    assert created.status_code == 201, created.text
