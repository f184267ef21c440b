"""A closed-loop HTTP/1.1 load generator on raw keep-alive connections.

httpx spends more CPU per request than a bare FastAPI route does, so it would measure itself
instead of the server. Each worker here owns one keep-alive connection and sends one request
after the other, writing prepared bytes and reading the answer by its Content-Length: the
same generator drives the baseline and the project, so their ratio compares the servers.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from bench.stack.results import percentile

RequestFor = Callable[[int], bytes]
"""The bytes of a worker's next request, by worker number."""


def post_request(host: str, port: int, path: str, body: bytes, headers: Mapping[str, str]) -> bytes:
    """The bytes of an HTTP/1.1 POST of a JSON body on a keep-alive connection."""
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: {host}:{port}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class Connection:
    """One keep-alive connection exchanging one request at a time."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer)

    async def exchange(self, request: bytes) -> tuple[int, bytes]:
        """Send a request; the status and body of its answer."""
        self._writer.write(request)
        head = await self._reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length, chunked = 0, False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
        body = await self._chunked_body() if chunked else await self._reader.readexactly(length)
        return status, body

    async def _chunked_body(self) -> bytes:
        parts: list[bytes] = []
        while True:
            size = int((await self._reader.readline()).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while (await self._reader.readline()) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(parts)
            parts.append(await self._reader.readexactly(size))
            await self._reader.readline()

    async def close(self) -> None:
        self._writer.close()
        with contextlib.suppress(ConnectionError):
            await self._writer.wait_closed()


@dataclass
class LoadResult:
    """What a closed-loop run measured: answers by status, latencies of the 2xx ones."""

    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    first_failure: str = ""

    @property
    def per_second(self) -> float:
        """Successful requests per second over the run."""
        return len(self.latencies) / self.seconds if self.seconds > 0 else 0.0

    def p(self, q: float) -> float | None:
        """The q-th percentile latency of the successful requests, in seconds."""
        return percentile(self.latencies, q)


async def closed_loop(
    host: str, port: int, *, concurrency: int, seconds: float, request_for: RequestFor
) -> LoadResult:
    """`concurrency` workers send requests back to back for `seconds`; the rate is the outcome."""
    result = LoadResult()
    connections = [await Connection.open(host, port) for _ in range(concurrency)]
    started = time.perf_counter()
    deadline = started + seconds

    async def worker(number: int, connection: Connection) -> None:
        while time.perf_counter() < deadline:
            sent = time.perf_counter()
            status, body = await connection.exchange(request_for(number))
            if 200 <= status < 300:
                result.latencies.append(time.perf_counter() - sent)
            else:
                result.failures += 1
                result.first_failure = result.first_failure or f"{status} {body[:300]!r}"

    try:
        await asyncio.gather(*(worker(n, c) for n, c in enumerate(connections)))
    finally:
        result.seconds = time.perf_counter() - started
        for connection in connections:
            await connection.close()
    return result
