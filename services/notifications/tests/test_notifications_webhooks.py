"""Signed webhooks (Standard Webhooks) to a real HTTP receiver on loopback, with retries."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from pmo_notifications.channels.webhook_channel import WebhookChannel
from pmo_notifications.domain.sending import OutgoingMessage
from pmo_notifications.domain.webhook_signature import new_webhook_secret
from pmo_stack.testkit import eventually


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """Standard Webhooks verification written from the spec, independent of the service."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    offered = [part.split(",", 1)[1] for part in headers["webhook-signature"].split()]
    return any(hmac.compare_digest(expected, candidate) for candidate in offered)


def signed(target: str, message_id: str, *, body: str = "{}") -> OutgoingMessage:
    """A webhook message signed with a fresh secret."""
    return OutgoingMessage(
        target=target, subject=None, body=body, secret=new_webhook_secret(), message_id=message_id
    )


async def subscribe(notifications: Any, url: str, project_id: str, **extra: Any) -> dict[str, Any]:
    answer = await notifications.client.post(
        "/v1/subscriptions",
        headers=await notifications.manager_of_project(project_id),
        json={
            "channel": "webhook",
            "target": url,
            "event_types": ["project.at_risk", "alert.raised"],
            "project_id": project_id,
            **extra,
        },
    )
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def attempts_for(notifications: Any, subscription_id: str) -> list[dict[str, Any]]:
    answer = await notifications.client.get(
        "/v1/deliveries", headers=notifications.auth(), params={"channel": "webhook"}
    )
    rows = [r for r in answer.json()["items"] if r["subscription_id"] == subscription_id]
    return sorted(rows, key=lambda r: (r["event_type"], r["attempt"]))


async def at_risk_sent_to(notifications: Any, payloads: Any, url: str) -> dict[str, Any]:
    """Subscribe `url` to a new project's project.at_risk, then signal it; the subscription."""
    project_id = str(uuid.uuid4())
    subscription = await subscribe(notifications, url, project_id, event_types=["project.at_risk"])
    await notifications.apply("project.at_risk", payloads.at_risk(project_id))
    return subscription


async def attempts_ending(
    notifications: Any, subscription_id: str, status: str
) -> list[dict[str, Any]]:
    """The subscription's attempts, once the latest one has ended in `status`."""

    async def ended() -> Any:
        rows = await attempts_for(notifications, subscription_id)
        return rows if rows and rows[-1]["status"] == status else None

    return await eventually(ended, what=f"the last attempt to end {status}")


async def test_receiver_gets_a_correctly_signed_cloudevent(
    notifications: Any,
    webhook_receiver: Any,
    notifications_payloads: Any,
) -> None:
    project_id = str(uuid.uuid4())
    subscription = await subscribe(notifications, f"{webhook_receiver.url}/hook", project_id)
    secret = subscription["secret"]
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32

    started = time.monotonic()
    event = await notifications.apply(
        "project.at_risk", notifications_payloads.at_risk(project_id), subject=project_id
    )

    async def both() -> Any:
        requests = webhook_receiver.requests
        return requests if len(requests) == 2 else None

    requests = await eventually(both, what="two webhooks")
    assert time.monotonic() - started < 1.0
    by_type = {json.loads(r.body)["type"]: r for r in requests}
    at_risk = by_type["project.at_risk"]
    assert at_risk.path == "/hook"
    assert at_risk.headers["content-type"] == "application/json"
    assert verify(secret, at_risk.headers, at_risk.body)
    assert abs(int(at_risk.headers["webhook-timestamp"]) - time.time()) < 30
    envelope = json.loads(at_risk.body)
    assert envelope["id"] == event.id
    assert envelope["specversion"] == "1.0"
    assert envelope["subject"] == project_id
    assert envelope["data"]["rag"] == "red"

    raised = by_type["alert.raised"]
    assert verify(secret, raised.headers, raised.body)
    published = await notifications.outbox_events("alert.raised")
    assert json.loads(raised.body)["id"] == published[0].id, "subscribers get the Kafka event"
    assert raised.headers["webhook-id"] != at_risk.headers["webhook-id"]
    assert not verify(new_webhook_secret(), at_risk.headers, at_risk.body)


async def test_500_twice_then_204_gives_three_attempt_rows_with_one_webhook_id(
    notifications: Any,
    webhook_receiver: Any,
    notifications_payloads: Any,
) -> None:
    webhook_receiver.fail_next(2, status=500)  # then the receiver's usual 204
    url = f"{webhook_receiver.url}/flaky"
    subscription = await at_risk_sent_to(notifications, notifications_payloads, url)
    rows = await attempts_ending(notifications, subscription["id"], "delivered")
    assert [(r["attempt"], r["status"], r["http_status"]) for r in rows] == [
        (1, "retrying", 500),
        (2, "retrying", 500),
        (3, "delivered", 204),
    ]
    assert "HTTP 500" in rows[0]["error"]
    assert len({r["message_id"] for r in rows}) == 1
    requests = webhook_receiver.requests
    assert len(requests) == 3
    assert {r.headers["webhook-id"] for r in requests} == {rows[0]["message_id"]}
    assert all(verify(subscription["secret"], r.headers, r.body) for r in requests)
    delivered_events = await notifications.outbox_events("notification.delivered")
    webhook_events = [e for e in delivered_events if e.data["channel"] == "webhook"]
    assert [e.data["attempt"] for e in webhook_events] == [3]


class Redirector:
    """An HTTP server on loopback answering every POST with 302 to `location`."""

    def __init__(self, location: str) -> None:
        paths: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length", "0")))
                paths.append(self.path)
                self.send_response(302)
                self.send_header("Location", location)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.paths = paths
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> Redirector:
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


async def test_exhausted_retries_fail_and_redirects_are_not_followed(
    notifications: Any, webhook_receiver: Any, notifications_payloads: Any
) -> None:
    with Redirector(f"{webhook_receiver.url}/elsewhere") as redirector:
        url = f"{redirector.url}/moved"
        subscription = await at_risk_sent_to(notifications, notifications_payloads, url)
        rows = await attempts_ending(notifications, subscription["id"], "failed")
    assert [(r["attempt"], r["status"]) for r in rows] == [
        (1, "retrying"),
        (2, "retrying"),
        (3, "failed"),
    ]
    assert "redirects are not followed" in rows[-1]["error"]
    assert f"redirecting to {webhook_receiver.url}/elsewhere" in rows[-1]["error"]
    assert redirector.paths == ["/moved"] * 3
    assert webhook_receiver.requests == [], "the redirect's target was never called"
    failures = await notifications.outbox_events("notification.failed")
    assert failures[0].data["attempt"] == 3 and failures[0].data["channel"] == "webhook"


async def test_a_deleted_subscription_receives_nothing_more(
    notifications: Any,
    webhook_receiver: Any,
    notifications_payloads: Any,
) -> None:
    project_id = str(uuid.uuid4())
    subscription = await subscribe(
        notifications,
        f"{webhook_receiver.url}/hook",
        project_id,
        event_types=["project.at_risk"],
    )
    deleted = await notifications.client.delete(
        f"/v1/subscriptions/{subscription['id']}",
        headers=notifications.auth("portfolio_manager", "pm@example.com"),
    )
    assert deleted.status_code == 204
    await notifications.apply("project.at_risk", notifications_payloads.at_risk(project_id))
    assert await attempts_for(notifications, subscription["id"]) == []
    assert webhook_receiver.requests == []


async def test_delivery_rechecks_the_address_and_refuses_loopback(
    webhook_receiver: Any,
) -> None:
    sender = WebhookChannel(timeout=2, allow_private=False)
    outcome = await sender.send(signed(f"{webhook_receiver.url}/hook", "msg_x"))
    assert not outcome.delivered and not outcome.retryable
    assert outcome.error is not None and "loopback" in outcome.error
    assert webhook_receiver.requests == []

    allowed = await WebhookChannel(timeout=2, allow_private=True).send(
        signed(f"{webhook_receiver.url}/hook", "msg_y")
    )
    assert allowed.delivered and allowed.http_status == 204
    assert len(webhook_receiver.requests) == 1


async def test_a_host_name_is_reached_through_its_vetted_address_with_its_host_header(
    webhook_receiver: Any,
) -> None:
    port = webhook_receiver.port
    sender = WebhookChannel(timeout=2, allow_private=True)
    outcome = await sender.send(
        signed(f"http://localhost:{port}/named?x=1", "msg_named", body='{"a":1}')
    )
    assert outcome.delivered, outcome.error
    received = webhook_receiver.requests[0]
    assert received.path == "/named?x=1"
    assert received.headers["host"] == f"localhost:{port}"
    assert received.headers["webhook-id"] == "msg_named"


async def test_an_unreachable_receiver_is_a_retryable_failure() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    outcome = await WebhookChannel(timeout=2, allow_private=True).send(
        signed(f"http://127.0.0.1:{closed_port}/hook", "msg_closed")
    )
    assert not outcome.delivered and outcome.retryable
    assert outcome.error is not None and "could not connect" in outcome.error
