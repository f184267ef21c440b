"""Bulk re-send: a PMO admin queues again every given-up delivery of a subscription or channel
planned in a time range; each message keeps its id, goes in its project's order, and a delivered
one is never sent again."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from pmo_notifications.domain.clock import utc_now
from pmo_stack.testkit import eventually

RESEND = "/v1/deliveries/resend"


def around_now(**changes: Any) -> dict[str, Any]:
    """A re-send body covering the last and the next hour, with `changes`."""
    now = utc_now()
    window = {
        "created_from": (now - timedelta(hours=1)).isoformat(),
        "created_to": (now + timedelta(hours=1)).isoformat(),
    }
    return window | changes


async def test_an_admin_re_sends_a_subscriptions_failed_deliveries_once_in_order(
    run_notifications: Any, webhook_receiver: Any, notifications_payloads: Any
) -> None:
    async with run_notifications(delivery_max_attempts=1) as notifications:
        await _re_send_twice(notifications, webhook_receiver, notifications_payloads)


async def _re_send_twice(notifications: Any, webhook_receiver: Any, payloads: Any) -> None:
    # One attempt and no give-up time: one refusal each, and both messages are failed.
    webhook_receiver.fail_next(2, status=503)
    project_id = str(uuid.uuid4())
    subscription = await notifications.subscribe_webhook(
        f"{webhook_receiver.url}/hook", project_id, "project.at_risk", "project.recovered"
    )
    await notifications.apply("project.at_risk", payloads.at_risk(project_id))
    await notifications.apply("project.recovered", payloads.recovered(project_id))

    async def both_failed() -> Any:
        rows = await notifications.webhook_attempts(subscription["id"])
        failed = [row for row in rows if row["status"] == "failed"]
        return failed if len(failed) == 2 else None

    failed = await eventually(both_failed, what="both messages given up")
    body = around_now(subscription_id=subscription["id"])

    as_manager = notifications.auth("portfolio_manager", "pm@example.com")
    assert (
        await notifications.client.post(RESEND, headers=as_manager, json=body)
    ).status_code == 403
    assert (await notifications.client.post(RESEND, json=body)).status_code == 401

    answer = await notifications.client.post(RESEND, headers=notifications.auth(), json=body)
    assert answer.status_code == 202, answer.text
    assert answer.json() == {"resent": 2}

    async def both_delivered() -> Any:
        rows = await notifications.webhook_attempts(subscription["id"])
        return sum(1 for row in rows if row["status"] == "delivered") == 2

    await eventually(both_delivered, what="both messages delivered")
    # Both told again with the ids receivers de-duplicate on, in the order they were planned.
    message_ids = {row["event_type"]: row["message_id"] for row in failed}
    assert [request.headers["webhook-id"] for request in webhook_receiver.requests[2:]] == [
        message_ids["project.at_risk"],
        message_ids["project.recovered"],
    ]

    again = await notifications.client.post(RESEND, headers=notifications.auth(), json=body)
    assert again.json() == {"resent": 0}, "nothing is failed any more: nothing is sent twice"
    by_channel = around_now(channel="webhook")
    assert (
        await notifications.client.post(RESEND, headers=notifications.auth(), json=by_channel)
    ).json() == {"resent": 0}
    assert len(webhook_receiver.requests) == 4


async def test_only_deliveries_planned_in_the_range_are_re_sent(
    notifications: Any, webhook_receiver: Any, notifications_payloads: Any
) -> None:
    webhook_receiver.fail_next(3, status=503)  # max_attempts 3, no give-up time: failed
    project_id = str(uuid.uuid4())
    subscription = await notifications.subscribe_webhook(
        f"{webhook_receiver.url}/hook", project_id, "project.at_risk"
    )
    await notifications.apply("project.at_risk", notifications_payloads.at_risk(project_id))
    await notifications.webhook_attempts_ending(subscription["id"], "failed")
    later = utc_now() + timedelta(minutes=1)
    body = {
        "subscription_id": subscription["id"],
        "created_from": later.isoformat(),
        "created_to": (later + timedelta(hours=1)).isoformat(),
    }
    answer = await notifications.client.post(RESEND, headers=notifications.auth(), json=body)
    assert answer.json() == {"resent": 0}


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({}, "body.subscription_id", "name a subscription_id or a channel"),
        ({"channel": "webhook", "created_to": "2026-01-01T00:00:00Z"}, "body.created_to", "after"),
        (
            {
                "channel": "email",
                "created_from": "2026-01-01T00:00:00Z",
                "created_to": "2026-02-02T00:00:00Z",
            },
            "body.created_to",
            "31 days",
        ),
        ({"channel": "email", "status": "delivered"}, "body.status", "failed"),
        ({"channel": "email", "everything": True}, "body.everything", "Extra inputs"),
        ({"channel": "fax"}, "body.channel", "email"),
    ],
)
async def test_a_bad_re_send_answers_422_naming_the_field(
    notifications: Any, changes: dict[str, Any], field: str, reason: str
) -> None:
    answer = await notifications.client.post(
        RESEND, headers=notifications.auth(), json=around_now(**changes)
    )
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    [error] = answer.json()["errors"]
    assert error["field"] == field and reason in error["reason"], error
