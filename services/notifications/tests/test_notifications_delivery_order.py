"""In order per project: a target receives one project's messages in the order they were planned.

An attempt waits while an older message of its project to the same target is still pending
(head of line per target and project, not per target): the queue of one project does not hold
up another's. The receivers are real HTTP servers on 127.0.0.1; the one that goes down is
stopped and started again on the same port.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from typing import Any

from pmo_notifications.domain.clock import utc_now
from pmo_notifications.domain.delivery_schedule import DELIVERED, FAILED
from pmo_stack.testkit import eventually

HOOK = "https://hooks.example.com/pmo"


async def test_a_message_waits_for_the_older_pending_one_of_its_project_and_target(
    delivery_log: Any,
) -> None:
    now = utc_now()
    await delivery_log.plan(
        {"project_id": "p1", "channel": "webhook", "target": HOOK},
        {"project_id": "p2", "channel": "webhook", "target": HOOK},
        {"project_id": "p1", "channel": "email", "target": "ada@example.com"},
        message_ids=["p1-first", "p2-first", "p1-mail"],
        at=now,
    )
    await delivery_log.plan(
        {"project_id": "p1", "channel": "webhook", "target": HOOK},
        message_ids=["p1-second"],
        at=now + timedelta(seconds=1),
    )
    at = now + timedelta(seconds=2)

    claimed = await delivery_log.claim("a", now=at)
    # p1's second webhook waits behind its first; p2 and the e-mail to Ada do not.
    assert sorted(row.message_id for row in claimed) == ["p1-first", "p1-mail", "p2-first"]
    first = next(row for row in claimed if row.message_id == "p1-first")
    assert await delivery_log.finish(first, token="a", status=DELIVERED, at=at)
    assert [row.message_id for row in await delivery_log.claim("b", now=at)] == ["p1-second"]


async def test_a_message_given_up_no_longer_holds_up_the_next_one(delivery_log: Any) -> None:
    now = utc_now()
    for offset, message_id in enumerate(["older", "newer"]):
        await delivery_log.plan(
            {"project_id": "p1", "channel": "webhook", "target": HOOK},
            message_ids=[message_id],
            at=now + timedelta(seconds=offset),
        )
    at = now + timedelta(seconds=2)
    (older,) = await delivery_log.claim("a", now=at)
    assert await delivery_log.finish(older, token="a", status=FAILED, at=at)
    assert [row.message_id for row in await delivery_log.claim("b", now=at)] == ["newer"]


async def test_a_later_message_of_a_project_is_not_sent_before_the_retry_of_an_earlier_one(
    run_notifications: Any, notifications_payloads: Any, down_receiver: Any
) -> None:
    apollo, gemini = str(uuid.uuid4()), str(uuid.uuid4())
    # The first retry waits 2 s (5 s at scale 0.4): long after the receiver is back.
    async with run_notifications(
        delivery_backoff_seconds=0.4, delivery_give_up_after_seconds=600
    ) as notifications:
        subscription = await notifications.subscribe_webhook(
            down_receiver.url, apollo, "project.at_risk", "project.recovered"
        )
        await notifications.subscribe_webhook(down_receiver.url, gemini, "project.at_risk")
        payloads = notifications_payloads
        await notifications.apply("project.at_risk", payloads.at_risk(apollo))

        async def refused_once() -> Any:
            return len(await notifications.webhook_attempts(subscription["id"])) == 2

        await eventually(refused_once, what="Apollo's first attempt refused, its retry planned")
        with down_receiver.back() as receiver:
            await notifications.apply("project.recovered", payloads.recovered(apollo))
            await notifications.apply("project.at_risk", payloads.at_risk(gemini))

            async def three() -> Any:
                return len(receiver.requests) == 3

            await eventually(three, what="both of Apollo's signals and Gemini's")
            arrived = [_signal(request) for request in receiver.requests]
    # Gemini's signal did not wait for Apollo's retry; Apollo's arrived in order.
    assert arrived[0] == (gemini, "project.at_risk")
    assert arrived[1:] == [(apollo, "project.at_risk"), (apollo, "project.recovered")]


async def test_a_target_back_from_an_outage_receives_what_it_missed_once_in_order(
    run_notifications: Any, notifications_payloads: Any, down_receiver: Any
) -> None:
    projects = [str(uuid.uuid4()) for _ in range(3)]
    async with run_notifications(
        delivery_give_up_after_seconds=600,
        circuit_failure_threshold=2,
        circuit_open_seconds=0.5,
    ) as notifications:
        for project_id in projects:
            await notifications.subscribe_webhook(
                down_receiver.url, project_id, "project.at_risk", "project.recovered"
            )
        # Each project red, recovered and red again, one report a week, while the target is down.
        for week in range(3):
            for project_id in projects:
                await _signal_week(notifications, notifications_payloads, project_id, week)

        async def circuit_opened() -> Any:
            failed = await _failed_attempts(notifications)
            return failed >= 2

        await eventually(circuit_opened, what="two failed attempts: the circuit is open")
        with down_receiver.back() as receiver:

            async def all_nine() -> Any:
                return len(receiver.requests) >= 9

            await eventually(all_nine, what="every signal of the outage")
            requests = receiver.requests
    assert len({request.headers["webhook-id"] for request in requests}) == len(requests) == 9
    for project_id in projects:
        types = [kind for project, kind in map(_signal, requests) if project == project_id]
        assert types == ["project.at_risk", "project.recovered", "project.at_risk"]


async def _signal_week(notifications: Any, payloads: Any, project_id: str, week: int) -> None:
    as_of = date(2026, 3, 2) + timedelta(weeks=week)
    if week % 2 == 0:
        await notifications.apply("project.at_risk", payloads.at_risk(project_id, as_of=as_of))
    else:
        await notifications.apply("project.recovered", payloads.recovered(project_id, as_of=as_of))


async def _failed_attempts(notifications: Any) -> int:
    listed = await notifications.client.get(
        "/v1/deliveries", headers=notifications.auth(), params={"channel": "webhook"}
    )
    return sum(1 for item in listed.json()["items"] if item["status"] == "retrying")


def _signal(request: Any) -> tuple[str, str]:
    """The project and event type a webhook request carried."""
    event = json.loads(request.body)
    return event["data"]["project_id"], event["type"]
