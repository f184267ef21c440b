"""Webhook connections are pooled: sends to one receiver share kept-alive connections, at most
the per-host cap of them, while a connection is only ever reused for the same host name at the
same vetted address (a name rebound elsewhere, or another name, never rides on it).

The receiver is a real asyncio HTTP/1.1 server on 127.0.0.1 counting the connections it
accepts; host names are mapped to addresses by replacing the resolver, as a DNS server would.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from pmo_notifications.channels import address_resolution, webhook_connections
from pmo_notifications.channels.webhook_channel import WebhookChannel
from pmo_notifications.domain.sending import OutgoingMessage, SendOutcome
from pmo_notifications.domain.webhook_signature import new_webhook_secret
from pmo_stack.testkit import eventually


class CountingReceiver:
    """An HTTP/1.1 server's connection handler answering 204 to every request and keeping the
    connection alive; counts the connections accepted (`accepted`), held (`active`) and the
    requests' Host headers (`hosts`)."""

    def __init__(self) -> None:
        self.accepted = 0
        self.active = 0
        self.hosts: list[str] = []
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        self.active += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                fields = {
                    name.strip().lower(): value.strip()
                    for name, _, value in (
                        line.partition(":") for line in head.decode("latin-1").split("\r\n")[1:]
                    )
                    if name
                }
                await reader.readexactly(int(fields.get("content-length", "0")))
                self.hosts.append(fields["host"])
                writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            self.active -= 1
            writer.close()


@pytest.fixture
async def receiver() -> AsyncIterator[CountingReceiver]:
    counting = CountingReceiver()
    server = await asyncio.start_server(counting.serve, "127.0.0.1", 0)
    counting.port = server.sockets[0].getsockname()[1]
    yield counting
    server.close()


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, list[str]]]:
    """Names the resolver answers, with their addresses (others resolve as usual)."""
    records: dict[str, list[str]] = {}
    real = address_resolution.resolve_host

    async def resolve(host: str, port: int) -> list[str]:
        return list(records[host]) if host in records else await real(host, port)

    monkeypatch.setattr(address_resolution, "resolve_host", resolve)
    yield records


def message(target: str, number: int = 0) -> OutgoingMessage:
    return OutgoingMessage(
        target=target,
        subject=None,
        body=f'{{"n": {number}}}',
        secret=new_webhook_secret(),
        message_id=f"msg_{number}",
    )


async def send_all(channel: WebhookChannel, targets: list[str]) -> list[SendOutcome]:
    outcomes = [await channel.send(message(target, n)) for n, target in enumerate(targets)]
    assert all(outcome.delivered for outcome in outcomes), outcomes
    return outcomes


async def test_sends_to_one_receiver_reuse_one_connection(receiver: CountingReceiver) -> None:
    async with WebhookChannel(timeout=2, allow_private=True) as channel:
        await send_all(channel, [f"{receiver.url}/hook"] * 10)
    assert len(receiver.hosts) == 10
    assert receiver.accepted == 1


async def test_concurrent_sends_open_at_most_the_per_host_cap_of_connections(
    receiver: CountingReceiver,
) -> None:
    async with WebhookChannel(timeout=2, allow_private=True, connections_per_host=2) as channel:
        outcomes = await asyncio.gather(
            *(channel.send(message(f"{receiver.url}/hook", n)) for n in range(8))
        )
    assert all(outcome.delivered for outcome in outcomes), outcomes
    assert len(receiver.hosts) == 8
    assert receiver.accepted == 2


async def test_another_host_name_at_the_same_address_gets_its_own_connections(
    receiver: CountingReceiver, dns: dict[str, list[str]]
) -> None:
    dns["a.example"] = dns["b.example"] = ["127.0.0.1"]
    port = receiver.port
    targets = [f"http://{name}:{port}/hook" for name in ("a.example", "b.example") * 3]
    async with WebhookChannel(timeout=2, allow_private=True) as channel:
        await send_all(channel, targets)
    assert receiver.hosts == [f"{name}:{port}" for name in ("a.example", "b.example") * 3]
    assert receiver.accepted == 2


async def test_a_name_rebound_to_another_address_never_reuses_the_vetted_connection(
    receiver: CountingReceiver, dns: dict[str, list[str]]
) -> None:
    dns["hooks.example"] = ["127.0.0.1"]
    target = f"http://hooks.example:{receiver.port}/hook"
    async with WebhookChannel(timeout=2, allow_private=True) as channel:
        await send_all(channel, [target])
        # The name now leads to an address where nothing listens on the receiver's port, while
        # the connection opened to the old address is still alive in the pool.
        dns["hooks.example"] = ["::1"]
        rebound = await channel.send(message(target, 1))
        assert receiver.active == 1
    assert not rebound.delivered and rebound.error is not None
    assert "could not connect" in rebound.error
    assert receiver.hosts == [f"hooks.example:{receiver.port}"]


async def test_refused_targets_are_still_refused_on_a_channel_with_open_connections(
    receiver: CountingReceiver, dns: dict[str, list[str]]
) -> None:
    dns["hooks.example"] = ["127.0.0.1"]
    async with WebhookChannel(timeout=2, allow_private=False) as strict:
        outcome = await strict.send(message(f"http://hooks.example:{receiver.port}/hook"))
    assert not outcome.delivered and not outcome.retryable
    assert outcome.error is not None and "loopback" in outcome.error
    assert receiver.accepted == 0


async def test_pools_past_the_limit_are_closed_least_recently_used_first(
    receiver: CountingReceiver, dns: dict[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhook_connections, "MAX_POOLS", 2)
    names = ["a.example", "b.example", "c.example"]
    for name in names:
        dns[name] = ["127.0.0.1"]
    async with WebhookChannel(timeout=2, allow_private=True) as channel:
        await send_all(channel, [f"http://{name}:{receiver.port}/hook" for name in names])
        kept = [receiver.host for receiver in channel.connections.receivers]
        assert kept == ["b.example", "c.example"]

        async def first_closed() -> Any:
            return receiver.active == 2

        await eventually(first_closed, what="the least recently used pool's connection closed")


async def test_closing_the_channel_closes_its_connections(receiver: CountingReceiver) -> None:
    async with WebhookChannel(timeout=2, allow_private=True) as channel:
        await send_all(channel, [f"{receiver.url}/hook"])
        assert receiver.active == 1

    async def all_closed() -> Any:
        return receiver.active == 0

    await eventually(all_closed, what="the receiver seeing the connection closed")


async def test_the_delivery_job_sends_over_one_pool_for_the_process(
    run_notifications: Any, receiver: CountingReceiver
) -> None:
    async with run_notifications() as notifications:
        for number in range(4):
            await notifications.at_risk_sent_to(f"{receiver.url}/hook{number}")

            async def delivered(count: int = number + 1) -> Any:
                return len(receiver.hosts) >= count

            await eventually(delivered, what=f"webhook {number + 1} delivered")
        assert receiver.accepted == 1

    async def closed_at_shutdown() -> Any:
        return receiver.active == 0

    await eventually(closed_at_shutdown, what="the pool closed when the service stopped")
