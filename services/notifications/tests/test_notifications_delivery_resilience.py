"""Nothing lost when things break: retries until the give-up time, and re-sending a failed
delivery (slow receivers: test_notifications_slow_targets.py).

Time is compressed through settings (the schedule scaled down, short give-up times); the
receivers are real servers on 127.0.0.1.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import pytest
from pmo_notifications.config import NotificationsSettings
from pmo_notifications.main import create_app
from pmo_stack.testkit import eventually


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# --- 1. a schedule measured in hours (compressed here) -----------------------------------------


Attempts = tuple[list[dict[str, Any]], list[Any]]


@pytest.fixture
def attempts_while_refused(
    run_notifications: Any, webhook_receiver: Any
) -> Callable[..., Awaitable[Attempts]]:
    """One at-risk webhook to a receiver answering 503 to its first `refusals` requests, the
    settings changed: the delivery's attempts once the latest ended in `ending`, and the
    notification.failed events published about webhooks."""

    async def attempts(*, refusals: int, ending: str, **settings: Any) -> Attempts:
        webhook_receiver.fail_next(refusals, status=503)
        async with run_notifications(**settings) as notifications:
            rows = await notifications.at_risk_attempts_ending(webhook_receiver.url, ending)
            return rows, await notifications.webhook_failures()

    return attempts


async def test_a_receiver_down_past_max_attempts_still_gets_the_message_when_it_comes_back(
    attempts_while_refused: Any,
) -> None:
    # Down for four attempts (0, 0.05, 0.35 and 1.55 s in): more than max_attempts, well within
    # the give-up time; the fifth attempt gets through.
    rows, failures = await attempts_while_refused(
        refusals=4, ending="delivered", delivery_max_attempts=3, delivery_give_up_after_seconds=60
    )
    assert [(r["attempt"], r["status"]) for r in rows] == [
        *[(attempt, "retrying") for attempt in range(1, 5)],
        (5, "delivered"),
    ]
    assert len({r["message_id"] for r in rows}) == 1
    assert failures == []


async def test_a_delivery_fails_only_once_the_give_up_time_has_passed(
    attempts_while_refused: Any,
) -> None:
    rows, failures = await attempts_while_refused(
        refusals=100, ending="failed", delivery_max_attempts=2, delivery_give_up_after_seconds=1.5
    )
    # 0, 0.05, 0.35 s, then the last attempt on the give-up time (1.5 s), not 1.55 s. (The give-up
    # time leaves room for a first send slowed by a busy machine: the third attempt fails only
    # if it starts after 1.5 s.)
    assert [r["status"] for r in rows] == ["retrying"] * 3 + ["failed"]
    given_up = instant(rows[-1]["completed_at"]) - instant(rows[0]["created_at"])
    assert given_up.total_seconds() >= 1.5
    last_wait = instant(rows[-1]["next_attempt_at"]) - instant(rows[0]["created_at"])
    assert abs(last_wait.total_seconds() - 1.5) < 0.05
    assert [event.data["attempt"] for event in failures] == [4]


# --- 2. re-sending a failed delivery ---------------------------------------------------------


async def test_an_admin_re_sends_a_failed_delivery_with_the_same_message_id(
    notifications: Any, webhook_receiver: Any
) -> None:
    webhook_receiver.fail_next(3, status=503)  # max_attempts 3, no give-up time: failed
    rows = await notifications.at_risk_attempts_ending(webhook_receiver.url, "failed")
    failed = rows[-1]

    retry = f"/v1/deliveries/{failed['id']}/retry"
    as_manager = await notifications.client.post(
        retry, headers=notifications.auth("portfolio_manager", "pm@example.com")
    )
    assert as_manager.status_code == 403
    assert (await notifications.client.post(retry)).status_code == 401

    answer = await notifications.client.post(retry, headers=notifications.auth())
    assert answer.status_code == 202, answer.text
    queued = answer.json()
    assert queued["status"] == "pending" and queued["attempt"] == 4
    assert queued["message_id"] == failed["message_id"]
    assert queued["id"] != failed["id"]

    rows = await notifications.webhook_attempts_ending(failed["subscription_id"], "delivered")
    assert [(r["attempt"], r["status"]) for r in rows][-2:] == [(3, "failed"), (4, "delivered")]
    requests = webhook_receiver.requests
    assert len(requests) == 4
    assert {r.headers["webhook-id"] for r in requests} == {failed["message_id"]}
    delivered = await notifications.outbox_events("notification.delivered")
    assert [e.data["attempt"] for e in delivered if e.data["channel"] == "webhook"] == [4]

    again = await notifications.client.post(retry, headers=notifications.auth())
    assert again.status_code == 409, "the failed attempt was already re-sent"
    on_delivered = await notifications.client.post(
        f"/v1/deliveries/{rows[-1]['id']}/retry", headers=notifications.auth()
    )
    assert on_delivered.status_code == 409
    assert on_delivered.headers["content-type"].startswith("application/problem+json")
    unknown = await notifications.client.post(
        f"/v1/deliveries/{uuid.uuid4()}/retry", headers=notifications.auth()
    )
    assert unknown.status_code == 404


async def test_a_pending_delivery_is_not_re_sent(
    run_notifications: Any, webhook_receiver: Any
) -> None:
    # Retries 30 s apart at scale 1: the second attempt is pending for the whole test.
    webhook_receiver.fail_next(1, status=503)
    async with run_notifications(
        delivery_backoff_seconds=1.0, delivery_give_up_after_seconds=60
    ) as notifications:
        (subscription,) = await notifications.at_risk_sent_to(webhook_receiver.url)

        async def second_pending() -> Any:
            rows = await notifications.webhook_attempts(subscription["id"])
            return rows if len(rows) == 2 and rows[-1]["status"] == "pending" else None

        rows = await eventually(second_pending, what="the second attempt, pending")
        for row in rows:
            answer = await notifications.client.post(
                f"/v1/deliveries/{row['id']}/retry", headers=notifications.auth()
            )
            assert answer.status_code == 409, (row["status"], answer.text)
        assert [r["status"] for r in rows] == ["retrying", "pending"]


def test_the_retry_route_is_documented(notifications_settings: NotificationsSettings) -> None:
    spec = create_app(notifications_settings).openapi()
    operation = spec["paths"]["/v1/deliveries/{delivery_id}/retry"]["post"]
    assert "202" in operation["responses"]
    assert "Re-send" in operation["summary"]
