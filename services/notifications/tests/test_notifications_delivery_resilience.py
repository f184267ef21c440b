"""Nothing lost when things break: retries until the give-up time, re-sending a failed delivery,
and slow receivers held to a deadline and a cap of sends per receiver.

Time is compressed through settings (the schedule scaled down, short give-up times and
timeouts); the receivers are real servers on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from datetime import datetime
from typing import Any

from pmo_notifications.config import NotificationsSettings
from pmo_notifications.main import create_app
from pmo_stack.smtp_sink import SmtpSink
from pmo_stack.testkit import eventually


async def at_risk_sent_to(notifications: Any, payloads: Any, *urls: str) -> list[dict[str, Any]]:
    """Subscribe each of `urls` to a new project's project.at_risk, then signal it once; the
    subscriptions, in the order of `urls`."""
    project_id = str(uuid.uuid4())
    subscriptions = [
        await notifications.subscribe_webhook(url, project_id, "project.at_risk") for url in urls
    ]
    await notifications.apply("project.at_risk", payloads.at_risk(project_id))
    return subscriptions


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# --- 1. a schedule measured in hours (compressed here) -----------------------------------------


async def test_a_receiver_down_past_max_attempts_still_gets_the_message_when_it_comes_back(
    run_notifications: Any,
    webhook_receiver: Any,
    notifications_payloads: Any,
) -> None:
    # Down for four attempts (0, 0.05, 0.35 and 1.55 s in): more than max_attempts, well within
    # the give-up time; the fifth attempt gets through.
    webhook_receiver.fail_next(4, status=503)
    async with run_notifications(
        delivery_max_attempts=3, delivery_give_up_after_seconds=60
    ) as notifications:
        (subscription,) = await at_risk_sent_to(
            notifications, notifications_payloads, f"{webhook_receiver.url}/hook"
        )
        rows = await notifications.webhook_attempts_ending(subscription["id"], "delivered")
        assert [(r["attempt"], r["status"]) for r in rows] == [
            (1, "retrying"),
            (2, "retrying"),
            (3, "retrying"),
            (4, "retrying"),
            (5, "delivered"),
        ]
        assert len({r["message_id"] for r in rows}) == 1
        failures = await notifications.outbox_events("notification.failed")
        assert [e for e in failures if e.data["channel"] == "webhook"] == []


async def test_a_delivery_fails_only_once_the_give_up_time_has_passed(
    run_notifications: Any,
    webhook_receiver: Any,
    notifications_payloads: Any,
) -> None:
    webhook_receiver.fail_next(100, status=503)
    async with run_notifications(
        delivery_max_attempts=2, delivery_give_up_after_seconds=1.0
    ) as notifications:
        (subscription,) = await at_risk_sent_to(
            notifications, notifications_payloads, f"{webhook_receiver.url}/hook"
        )
        rows = await notifications.webhook_attempts_ending(subscription["id"], "failed")
        # 0, 0.05, 0.35 s, then the last attempt on the give-up time (1 s), not 1.55 s.
        assert [r["status"] for r in rows] == ["retrying"] * 3 + ["failed"]
        given_up = instant(rows[-1]["completed_at"]) - instant(rows[0]["created_at"])
        assert given_up.total_seconds() >= 1.0
        last_wait = instant(rows[-1]["next_attempt_at"]) - instant(rows[0]["created_at"])
        assert abs(last_wait.total_seconds() - 1.0) < 0.05
        failures = await notifications.outbox_events("notification.failed")
        webhook_failures = [e for e in failures if e.data["channel"] == "webhook"]
        assert [e.data["attempt"] for e in webhook_failures] == [4]


# --- 2. re-sending a failed delivery ---------------------------------------------------------


async def test_an_admin_re_sends_a_failed_delivery_with_the_same_message_id(
    notifications: Any, webhook_receiver: Any, notifications_payloads: Any
) -> None:
    webhook_receiver.fail_next(3, status=503)  # max_attempts 3, no give-up time: failed
    (subscription,) = await at_risk_sent_to(
        notifications, notifications_payloads, f"{webhook_receiver.url}/hook"
    )
    rows = await notifications.webhook_attempts_ending(subscription["id"], "failed")
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

    rows = await notifications.webhook_attempts_ending(subscription["id"], "delivered")
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
    run_notifications: Any,
    webhook_receiver: Any,
    notifications_payloads: Any,
) -> None:
    # Retries 30 s apart at scale 1: the second attempt is pending for the whole test.
    webhook_receiver.fail_next(1, status=503)
    async with run_notifications(
        delivery_backoff_seconds=1.0, delivery_give_up_after_seconds=60
    ) as notifications:
        (subscription,) = await at_risk_sent_to(
            notifications, notifications_payloads, f"{webhook_receiver.url}/hook"
        )

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


# --- 3. slow receivers -----------------------------------------------------------------------


class TricklingReceiver:
    """An HTTP server on 127.0.0.1 that reads a request, then answers one byte per `interval`
    forever (a header that never ends), until the client hangs up."""

    def __init__(self, interval: float = 0.5) -> None:
        self.interval = interval
        self.requests: list[dict[str, str]] = []
        self.active = 0
        self.most_active = 0
        self._server: asyncio.Server | None = None
        self.url = ""

    async def __aenter__(self) -> TricklingReceiver:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._server.wait_closed(), 2)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.active += 1
        self.most_active = max(self.most_active, self.active)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            headers = {
                name.strip().lower(): value.strip()
                for name, _, value in (line.partition(":") for line in lines[1:] if line)
            }
            await reader.readexactly(int(headers.get("content-length", "0")))
            self.requests.append({"path": lines[0].split(" ")[1], **headers})
            writer.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            while True:
                try:
                    if await asyncio.wait_for(reader.read(1), self.interval) == b"":
                        return  # the client hung up
                except TimeoutError:
                    writer.write(b"a")
                    await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            self.active -= 1
            writer.close()


async def test_a_trickling_receiver_is_cut_off_at_the_deadline_and_delays_no_one_else(
    run_notifications: Any,
    webhook_receiver: Any,
    smtp_sink: SmtpSink,
    notifications_payloads: Any,
) -> None:
    async with (
        TricklingReceiver(interval=0.3) as slow,
        run_notifications(
            webhook_timeout_seconds=1.5,
            delivery_max_attempts=2,
            delivery_give_up_after_seconds=0,
        ) as notifications,
    ):
        slow_subscription, _ = await at_risk_sent_to(
            notifications,
            notifications_payloads,
            f"{slow.url}/slow",
            f"{webhook_receiver.url}/fast",
        )
        started = time.monotonic()

        async def fast_and_mail() -> Any:
            return bool(webhook_receiver.requests and smtp_sink.messages and slow.requests)

        await eventually(fast_and_mail, within=1.0, what="the fast webhook and the e-mail")
        assert time.monotonic() - started < 1.0
        assert slow.active == 1, "the slow receiver is still trickling"

        rows = await notifications.webhook_attempts_ending(slow_subscription["id"], "failed")
        assert [(r["attempt"], r["status"]) for r in rows] == [(1, "retrying"), (2, "failed")]
        assert all("timed out" in r["error"] for r in rows)
        # Each scheduled attempt reached the receiver once, never again on a lapsed lease.
        assert len(slow.requests) == 2
        assert {r["webhook-id"] for r in slow.requests} == {rows[0]["message_id"]}
        assert time.monotonic() - started < 6.0


async def test_one_receiver_gets_at_most_the_capped_number_of_sends_at_once(
    run_notifications: Any,
    webhook_receiver: Any,
    notifications_payloads: Any,
) -> None:
    async with (
        TricklingReceiver(interval=0.3) as slow,
        run_notifications(
            webhook_timeout_seconds=1.0,
            webhook_max_concurrency_per_host=2,
            delivery_max_attempts=1,
            delivery_give_up_after_seconds=0,
        ) as notifications,
    ):
        slow_urls = [f"{slow.url}/slow{n}" for n in range(5)]
        *slow_subscriptions, _ = await at_risk_sent_to(
            notifications, notifications_payloads, *slow_urls, f"{webhook_receiver.url}/fast"
        )
        started = time.monotonic()

        async def fast() -> Any:
            return webhook_receiver.requests

        await eventually(fast, within=1.0, what="the fast webhook")
        assert time.monotonic() - started < 1.0

        for slow_subscription in slow_subscriptions:
            await notifications.webhook_attempts_ending(slow_subscription["id"], "failed")
        assert slow.most_active == 2
        assert sorted(r["path"] for r in slow.requests) == [f"/slow{n}" for n in range(5)]
