"""Slow targets are isolated: a webhook receiver or SMTP server answering a byte now and then is
cut off at a deadline for the whole request or conversation, holds no more than its share of the
sending slots, and delays no other target.

The slow servers are real asyncio servers on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any, Self

from pmo_notifications.channels.email_channel import EmailChannel
from pmo_notifications.domain.sending import OutgoingMessage
from pmo_stack.testkit import eventually


class LoopbackServer:
    """An asyncio server on 127.0.0.1 counting the connections it holds (`active`, the most at
    once in `most_active`); subclasses say how each connection is served."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.active = 0
        self.most_active = 0
        self.port = 0
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._connected, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._server.wait_closed(), 2)

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Serve one connection."""
        raise NotImplementedError

    async def dribble(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, data: bytes
    ) -> bool:
        """Write `data` one byte per `interval`; False as soon as the client hangs up."""
        for byte in data:
            try:
                if await asyncio.wait_for(reader.read(1), self.interval) == b"":
                    return False
            except TimeoutError:
                writer.write(bytes([byte]))
                await writer.drain()
        return True

    async def _connected(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.active += 1
        self.most_active = max(self.most_active, self.active)
        try:
            await self.serve(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            self.active -= 1
            writer.close()


class TricklingReceiver(LoopbackServer):
    """An HTTP server that reads a request, then answers one byte per `interval` forever (a
    header that never ends), until the client hangs up."""

    def __init__(self, interval: float = 0.5) -> None:
        super().__init__(interval)
        self.requests: list[dict[str, str]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in lines[1:] if line)
        }
        await reader.readexactly(int(headers.get("content-length", "0")))
        self.requests.append({"path": lines[0].split(" ")[1], **headers})
        writer.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        while await self.dribble(reader, writer, b"a"):
            pass


class DribblingSmtpServer(LoopbackServer):
    """An SMTP server whose greeting arrives one byte per `interval` (a few seconds in all), then
    answers every command at once and accepts the message: a client held to a deadline for the
    whole conversation gives up during the greeting; one held only per read gets through."""

    GREETING = b"220 slow.example.com ESMTP dribbling its greeting\r\n"

    def __init__(self, interval: float = 0.1) -> None:
        super().__init__(interval)
        self.connections = 0
        self.accepted: list[bytes] = []

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        if not await self.dribble(reader, writer, self.GREETING):
            return  # the client hung up during the greeting
        while line := await reader.readline():
            verb = line[:4].upper()
            if verb == b"DATA":
                writer.write(b"354 go ahead\r\n")
                self.accepted.append(await reader.readuntil(b"\r\n.\r\n"))
                writer.write(b"250 accepted\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                return
            else:
                writer.write(b"250 slow.example.com\r\n")
            await writer.drain()


@contextlib.asynccontextmanager
async def beside_a_trickling_receiver(
    run_notifications: Any, **settings: Any
) -> AsyncIterator[tuple[TricklingReceiver, Any]]:
    """A receiver trickling a byte every 0.3 s, and the app on the settings changed (given up
    after the fewest attempts)."""
    async with (
        TricklingReceiver(interval=0.3) as slow,
        run_notifications(delivery_give_up_after_seconds=0, **settings) as notifications,
    ):
        yield slow, notifications


async def test_a_trickling_receiver_is_cut_off_at_the_deadline_and_delays_no_one_else(
    run_notifications: Any, webhook_receiver: Any, smtp_sink: Any
) -> None:
    async with beside_a_trickling_receiver(
        run_notifications, webhook_timeout_seconds=1.5, delivery_max_attempts=2
    ) as (slow, notifications):
        slow_subscription, _ = await notifications.at_risk_sent_to(
            f"{slow.url}/slow", f"{webhook_receiver.url}/fast"
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
    run_notifications: Any, webhook_receiver: Any
) -> None:
    async with beside_a_trickling_receiver(
        run_notifications,
        webhook_timeout_seconds=1.0,
        webhook_max_concurrency_per_host=2,
        delivery_max_attempts=1,
    ) as (slow, notifications):
        slow_urls = [f"{slow.url}/slow{n}" for n in range(5)]
        *slow_subscriptions, _ = await notifications.at_risk_sent_to(
            *slow_urls, f"{webhook_receiver.url}/fast"
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


async def test_a_dribbling_smtp_server_is_cut_off_at_the_deadline_of_the_whole_conversation() -> (
    None
):
    async with DribblingSmtpServer(interval=0.1) as server:
        channel = EmailChannel(
            host="127.0.0.1", port=server.port, sender="pmo@example.com", timeout=1.0
        )
        message = OutgoingMessage(
            target="ada@example.com", subject="Apollo", body="b", message_id="msg_deadline"
        )
        outcome = await channel.send(message)
        assert not outcome.delivered and outcome.retryable
        assert outcome.error is not None and "timed out" in outcome.error

        async def hung_up() -> Any:
            return server.active == 0

        # The conversation's thread let go of the socket: the slot is free again.
        await eventually(hung_up, what="the client hanging up on the slow server")
        assert server.accepted == []


async def test_a_slow_smtp_server_fails_its_attempts_on_time_and_delays_no_webhook(
    run_notifications: Any, webhook_receiver: Any
) -> None:
    async with (
        DribblingSmtpServer(interval=0.1) as slow,
        run_notifications(
            smtp_port=slow.port,
            smtp_timeout_seconds=1.0,
            delivery_max_attempts=2,
            delivery_give_up_after_seconds=0,
        ) as notifications,
    ):
        await notifications.at_risk_sent_to(f"{webhook_receiver.url}/fast")

        async def webhook_while_mail_dribbles() -> Any:
            return webhook_receiver.requests and slow.active == 1

        await eventually(webhook_while_mail_dribbles, what="the webhook, the e-mail held")

        async def mail_failed() -> Any:
            listed = await notifications.client.get(
                "/v1/deliveries", headers=notifications.auth(), params={"channel": "email"}
            )
            rows = sorted(listed.json()["items"], key=lambda row: row["attempt"])
            return rows if rows and rows[-1]["status"] == "failed" else None

        rows = await eventually(mail_failed, what="the manager's e-mail given up")
    assert [(row["attempt"], row["status"]) for row in rows] == [(1, "retrying"), (2, "failed")]
    assert all("timed out" in row["error"] for row in rows)
    # One conversation per attempt: no claim ran out mid-send to let another one start.
    assert slow.connections == 2
    assert slow.accepted == []
