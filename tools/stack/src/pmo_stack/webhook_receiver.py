"""A real HTTP server on loopback that records every request it receives (webhook target)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from pmo_stack.arrivals import Arrivals
from pmo_stack.lifecycle import Startable

RequestPredicate = Callable[["ReceivedRequest"], bool]


@dataclass(frozen=True)
class ReceivedRequest:
    """One HTTP request as it arrived, plus the status it was answered with."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    received_monotonic: float
    received_at: datetime
    status: int


class WebhookReceiver(Startable):
    """ThreadingHTTPServer on 127.0.0.1 answering a configurable status to any request."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, status: int = 204) -> None:
        self.status = status
        self._fail_remaining = 0
        self._fail_status = 500
        self._arrivals: Arrivals[ReceivedRequest] = Arrivals(_describe_requests)
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        """Address the server listens on."""
        return str(self._server.server_address[0])

    @property
    def port(self) -> int:
        """Port the server listens on (resolved when constructed with port 0)."""
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:PORT (append any path)."""
        return f"http://{self.host}:{self.port}"

    @property
    def requests(self) -> list[ReceivedRequest]:
        """Snapshot of every request received so far, oldest first."""
        return self._arrivals.snapshot()

    def fail_next(self, count: int, status: int = 500) -> None:
        """Answer the next `count` requests with `status` (to exercise sender retries)."""
        with self._arrivals.condition:
            self._fail_remaining = count
            self._fail_status = status

    def clear(self) -> None:
        """Forget every request received so far."""
        self._arrivals.clear()

    def start(self) -> None:
        """Serve requests on a background thread."""
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"webhook-receiver-{self.port}", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def wait_for_sync(
        self, predicate: RequestPredicate | None = None, timeout: float = 10.0
    ) -> ReceivedRequest:
        """Block until a request matching `predicate` (any, if None) has arrived; return it."""
        return self._arrivals.wait_for_sync(predicate or _any_request, timeout)

    async def wait_for(
        self, predicate: RequestPredicate | None = None, timeout: float = 10.0
    ) -> ReceivedRequest:
        """Wait (without blocking the event loop) for a matching request; return it."""
        return await self._arrivals.wait_for(predicate or _any_request, timeout)

    def _record(self, method: str, path: str, headers: dict[str, str], body: bytes) -> int:
        # Holding the condition keeps the fail counter and the arrival order consistent.
        with self._arrivals.condition:
            if self._fail_remaining > 0:
                self._fail_remaining -= 1
                status = self._fail_status
            else:
                status = self.status
            self._arrivals.append(
                ReceivedRequest(
                    method=method,
                    path=path,
                    headers=headers,
                    body=body,
                    received_monotonic=time.monotonic(),
                    received_at=datetime.now(UTC),
                    status=status,
                )
            )
            return status


def _any_request(_request: ReceivedRequest) -> bool:
    return True


def _describe_requests(received: list[ReceivedRequest]) -> str:
    return f"received: {[(r.method, r.path, r.status) for r in received]}"


def _handler_for(receiver: WebhookReceiver) -> type[BaseHTTPRequestHandler]:
    class _RecordingHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            headers = {key.lower(): value for key, value in self.headers.items()}
            status = receiver._record(self.command, self.path, headers, self._read_body())
            self.send_response(status)
            # RFC 9110: a 204 carries no Content-Length; anything else says "empty" explicitly.
            if status != 204:
                self.send_header("Content-Length", "0")
            self.end_headers()

        def _read_body(self) -> bytes:
            if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                chunks: list[bytes] = []
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        # Skip trailers up to the blank line that ends the message.
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass
                        return b"".join(chunks)
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length > 0 else b""

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle  # noqa: N815

        def log_message(self, format: str, *args: object) -> None:
            # Keep test output clean; every request is in `receiver.requests` instead.
            return

    return _RecordingHandler
