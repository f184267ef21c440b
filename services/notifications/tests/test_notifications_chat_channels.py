"""Slack and Teams subscriptions end to end in the service: a real HTTP receiver on loopback gets
a message valid against the vendor's schema, over the webhook SSRF policy and retry rules."""

from __future__ import annotations

import json
import uuid
from typing import Any

from pmo_stack.testkit import eventually
from pmo_stack.webhook_receiver import ReceivedRequest, WebhookReceiver

PUBLIC_URL = "https://pmo.example.com/notifications"


async def subscribe(
    notifications: Any, channel: str, target: str, project_id: str, *event_types: str
) -> dict[str, Any]:
    """A portfolio manager's subscription of a chat webhook to one project's events."""
    answer = await notifications.client.post(
        "/v1/subscriptions",
        headers=await notifications.manager_of_project(project_id),
        json={
            "channel": channel,
            "target": target,
            "event_types": list(event_types or ["project.at_risk"]),
            "project_id": project_id,
        },
    )
    assert answer.status_code == 201, answer.text
    subscription: dict[str, Any] = answer.json()
    return subscription


async def attempts(notifications: Any, channel: str, subscription_id: str) -> list[dict[str, Any]]:
    """The delivery log's attempts over `channel` for one subscription, first attempt first."""
    answer = await notifications.client.get(
        "/v1/deliveries", headers=notifications.auth(), params={"channel": channel}
    )
    assert answer.status_code == 200, answer.text
    rows = [row for row in answer.json()["items"] if row["subscription_id"] == subscription_id]
    return sorted(rows, key=lambda row: (row["event_type"], row["attempt"]))


async def attempts_ending(
    notifications: Any, channel: str, subscription_id: str, status: str
) -> list[dict[str, Any]]:
    """The subscription's attempts once none is in flight and the latest ended in `status`
    (two messages to one chat go out side by side: the latest may end before the other)."""

    async def ended() -> list[dict[str, Any]] | None:
        rows = await attempts(notifications, channel, subscription_id)
        in_flight = any(row["status"] == "pending" for row in rows)
        return rows if rows and not in_flight and rows[-1]["status"] == status else None

    return await eventually(ended, what=f"the last {channel} attempt to end {status}")


async def received(receiver: WebhookReceiver, count: int) -> list[ReceivedRequest]:
    async def arrived() -> list[ReceivedRequest] | None:
        requests = receiver.requests
        return requests if len(requests) >= count else None

    return await eventually(arrived, what=f"{count} requests at {receiver.url}")


async def test_a_slack_and_a_teams_subscriber_each_receive_a_valid_message(
    run_notifications: Any,
    webhook_receiver: WebhookReceiver,
    notifications_payloads: Any,
    chat_schemas: Any,
) -> None:
    project_id = str(uuid.uuid4())
    # Slack answers 200 `ok`, a Teams workflow 202 Accepted.
    webhook_receiver.status = 200
    with WebhookReceiver("127.0.0.1", 0, status=202) as teams_receiver:
        async with run_notifications(public_url=PUBLIC_URL) as notifications:
            slack = await subscribe(
                notifications,
                "slack",
                f"{webhook_receiver.url}/services/T000/B000/XXXX",
                project_id,
                "project.at_risk",
                "alert.raised",
            )
            teams = await subscribe(
                notifications,
                "teams",
                f"{teams_receiver.url}/workflows/abc/triggers/manual/paths/invoke?sig=s3cret",
                project_id,
                "project.at_risk",
            )
            assert slack.get("secret") is None and teams.get("secret") is None, "chats sign nothing"
            await notifications.apply("project.at_risk", notifications_payloads.at_risk(project_id))

            slack_requests = await received(webhook_receiver, 2)
            (teams_request,) = await received(teams_receiver, 1)
            slack_rows = await attempts_ending(notifications, "slack", slack["id"], "delivered")
            teams_rows = await attempts_ending(notifications, "teams", teams["id"], "delivered")

    by_header = {json.loads(r.body)["blocks"][0]["text"]["text"]: r for r in slack_requests}
    at_risk = by_header.pop("Apollo is at risk")
    ((raised_header, raised_request),) = by_header.items()
    assert raised_header.startswith("Alert raised: ")
    assert at_risk.path == "/services/T000/B000/XXXX"
    assert at_risk.headers["content-type"] == "application/json"
    assert "webhook-signature" not in at_risk.headers
    message = json.loads(at_risk.body)
    chat_schemas.check_slack(message)
    assert message["attachments"][0]["color"] == "#a30200"
    button = message["attachments"][0]["blocks"][-1]["elements"][0]
    assert button["url"] == f"{PUBLIC_URL}/v1/alerts?project_id={project_id}"
    raised = json.loads(raised_request.body)
    chat_schemas.check_slack(raised)
    assert "/v1/alerts/" in raised["attachments"][0]["blocks"][-1]["elements"][0]["url"]

    assert teams_request.path.endswith("/invoke?sig=s3cret")
    card_message = json.loads(teams_request.body)
    chat_schemas.check_teams(card_message)
    card = card_message["attachments"][0]["content"]
    assert [block.get("text") for block in card["body"][:2]] == ["Apollo is at risk", "RAG: RED"]
    assert card["actions"][0]["url"] == f"{PUBLIC_URL}/v1/alerts?project_id={project_id}"

    assert {(row["status"], row["http_status"]) for row in slack_rows} == {("delivered", 200)}
    assert [(row["status"], row["http_status"]) for row in teams_rows] == [("delivered", 202)]


async def test_a_chat_refusal_ends_the_delivery_and_a_rate_limit_is_retried(
    notifications: Any, webhook_receiver: WebhookReceiver, notifications_payloads: Any
) -> None:
    gone, limited = str(uuid.uuid4()), str(uuid.uuid4())
    webhook_receiver.fail_next(1, status=404)
    subscription = await subscribe(notifications, "slack", f"{webhook_receiver.url}/gone", gone)
    await notifications.apply("project.at_risk", notifications_payloads.at_risk(gone))
    (row,) = await attempts_ending(notifications, "slack", subscription["id"], "failed")
    assert (row["attempt"], row["http_status"]) == (1, 404)
    assert row["error"] == "the receiver answered HTTP 404"
    failures = await notifications.outbox_events("notification.failed")
    assert [failure.data["channel"] for failure in failures] == ["slack"]

    webhook_receiver.fail_next(1, status=429)
    subscription = await subscribe(notifications, "teams", f"{webhook_receiver.url}/busy", limited)
    await notifications.apply("project.at_risk", notifications_payloads.at_risk(limited))
    rows = await attempts_ending(notifications, "teams", subscription["id"], "delivered")
    assert [(r["attempt"], r["status"], r["http_status"]) for r in rows] == [
        (1, "retrying", 429),
        (2, "delivered", 204),
    ]


# Each target refused on either chat channel, and a word of the reason.
REFUSED_TARGETS = [
    ("https://127.0.0.1:8443/services/T/B/x", "public addresses"),
    ("https://10.1.2.3/hook", "public addresses"),
    ("https://[::1]/hook", "public addresses"),
    ("https://localhost/hook", "public addresses"),
    ("http://93.184.215.14/hook", "only https://"),
    ("ftp://93.184.215.14/hook", "only http:// and https://"),
]


async def test_chat_targets_must_be_public_https_urls(run_notifications: Any) -> None:
    async with run_notifications(webhook_allow_private=False) as strict:

        async def subscribed(channel: str, target: str) -> Any:
            fields = {"channel": channel, "target": target, "event_types": ["project.at_risk"]}
            return await strict.client.post("/v1/subscriptions", headers=strict.auth(), json=fields)

        for channel in ("slack", "teams"):
            for target, reason in REFUSED_TARGETS:
                answer = await subscribed(channel, target)
                assert answer.status_code == 422, (channel, target, answer.text)
                assert answer.headers["content-type"].startswith("application/problem+json")
                (error,) = answer.json()["errors"]
                assert error["field"] == "target" and reason in error["reason"], error
            created = await subscribed(channel, "https://93.184.215.14/services/T/B/x")
            assert created.status_code == 201, created.text
