"""The webhook channel's HTTP connections, kept open between sends but pinned to what was vetted.

A client per message cost about 34 ms of CPU on the event loop (its TLS context) and a new TCP
(and TLS) handshake for every webhook. Here one TLS context serves the process and each
receiver (scheme, host name and port: a `Receiver`) has one pooled client, opened on its first
send. A pooled connection is reused only for the same host name at the same vetted address:

- by address: the channel sends to the URL naming the address vetted for this send, and a pool
  reuses a connection only for the address it was opened to (httpcore matches connections by
  the request URL's origin); when the name resolves elsewhere since (DNS rebinding), the send
  connects to the new vetted address, never through the old connection;
- by host name: a TLS connection was verified (SNI, certificate) for one name, and another name
  served from the same address has a client of its own, so it never rides on it.

A receiver's pool holds at most `per_host` connections (its send cap per replica), a pool idle
longer than the keep-alive is closed, and at most MAX_POOLS pools are kept: memory and sockets
stay bounded whatever the number of receivers.
"""

from __future__ import annotations

import ssl
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx

from pmo_notifications.domain.address_policy import WebhookTarget

# Shorter than the 5 s idle timeout of common servers (uvicorn, Node.js): the sender lets a
# connection go before the receiver does, rather than writing to one being closed.
KEEPALIVE_SECONDS = 4.0
# Pools kept at most (an idle one is closed first, the longest unused first).
MAX_POOLS = 128


@dataclass(frozen=True, slots=True)
class Receiver:
    """Whose connections a pool holds: a receiver's scheme, host name and port."""

    scheme: str
    host: str
    port: int


@dataclass(eq=False, slots=True)
class _Pool:
    client: httpx.AsyncClient
    in_flight: int = 0
    idle_since: float = 0.0


class WebhookConnections:
    """Pooled HTTP clients by receiver, each opened on first use; `aclose` closes them all."""

    def __init__(self, *, timeout: float, per_host: int) -> None:
        self._timeout = timeout
        self._limits = httpx.Limits(
            max_connections=per_host,
            max_keepalive_connections=per_host,
            keepalive_expiry=KEEPALIVE_SECONDS,
        )
        # Least recently used first.
        self._pools: OrderedDict[Receiver, _Pool] = OrderedDict()
        # Built on the first send: a channel made only to vet targets never pays for it.
        self._tls: ssl.SSLContext | None = None

    @property
    def receivers(self) -> list[Receiver]:
        """The receivers with an open pool, least recently used first."""
        return list(self._pools)

    @asynccontextmanager
    async def client_for(self, target: WebhookTarget) -> AsyncIterator[httpx.AsyncClient]:
        """The client of `target`'s receiver, for one request to one of its vetted addresses."""
        receiver = Receiver(target.scheme, target.host, target.port)
        await self._close_unused(time.monotonic(), room_for=receiver)
        pool = self._pools.get(receiver)
        if pool is None:
            pool = self._pools[receiver] = _Pool(self._open_client())
        self._pools.move_to_end(receiver)
        pool.in_flight += 1
        try:
            yield pool.client
        finally:
            pool.in_flight -= 1
            pool.idle_since = time.monotonic()

    async def aclose(self) -> None:
        """Close every pooled connection (at shutdown, once no send is in flight)."""
        pools = list(self._pools.values())
        self._pools.clear()
        for pool in pools:
            await pool.client.aclose()

    def _open_client(self) -> httpx.AsyncClient:
        if self._tls is None:
            self._tls = httpx.create_ssl_context(trust_env=False)
        transport = httpx.AsyncHTTPTransport(verify=self._tls, limits=self._limits, trust_env=False)
        # Redirects are never followed: the Location was not vetted (the channel reports them).
        return httpx.AsyncClient(
            transport=transport, timeout=self._timeout, follow_redirects=False, trust_env=False
        )

    async def _close_unused(self, now: float, *, room_for: Receiver) -> None:
        """Close idle pools past the keep-alive, and the least recently used idle ones while
        there would be more than MAX_POOLS with `room_for`'s (pools in use are never closed)."""
        excess = len(self._pools) + (room_for not in self._pools) - MAX_POOLS
        unused: list[Receiver] = []
        for receiver, pool in self._pools.items():
            if pool.in_flight:
                continue
            if excess > 0 or now - pool.idle_since > KEEPALIVE_SECONDS:
                unused.append(receiver)
                excess -= 1
        for receiver in unused:
            # Out of the map before the await: no send can pick a pool being closed.
            await self._pools.pop(receiver).client.aclose()
