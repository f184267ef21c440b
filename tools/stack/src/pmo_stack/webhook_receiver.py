"""A real HTTP server on loopback that records every request it receives (webhook target).

For fault tests it can also go down and come back on the same port (`stop`, then `start`), and
answer slowly (`trickle`: the response one byte at a time), as a struggling receiver would.
"""

from __future__ import annotations

import select
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

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
        self._trickle_seconds: float | None = None
        self._in_flight = 0
        self._most_in_flight = 0
        # Set while stopped: a response being trickled ends at once instead of holding a thread.
        self._stopping = threading.Event()
        self._arrivals: Arrivals[ReceivedRequest] = Arrivals(_describe_requests)
        self._server = self._bind(host, port)
        self._closed = False
        self._thread: threading.Thread | None = None

    def _bind(self, host: str, port: int) -> ThreadingHTTPServer:
        server = _QuietServer((host, port), _handler_for(self))
        server.daemon_threads = True
        return server

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

    def trickle(self, seconds_per_byte: float | None) -> None:
        """Write each response one byte every `seconds_per_byte` (None: at once again).

        The request is read and recorded as usual; only the answer crawls, so a sender waits
        on its read. Turning it off lets the responses being trickled finish at once.
        """
        self._trickle_seconds = seconds_per_byte

    @property
    def trickle_seconds(self) -> float | None:
        """The pause between two bytes of a response while trickling, else None."""
        return self._trickle_seconds

    @property
    def most_in_flight(self) -> int:
        """The most requests this receiver was answering at one time (since `clear`)."""
        return self._most_in_flight

    def _enter(self) -> None:
        with self._arrivals.condition:
            self._in_flight += 1
            self._most_in_flight = max(self._most_in_flight, self._in_flight)

    def _leave(self) -> None:
        with self._arrivals.condition:
            self._in_flight -= 1

    def clear(self) -> None:
        """Forget every request received so far."""
        self._arrivals.clear()
        with self._arrivals.condition:
            self._most_in_flight = self._in_flight

    def start(self) -> None:
        """Serve requests on a background thread (again on the same port after a `stop`)."""
        if self._closed:
            self._server = self._bind(self.host, self.port)
            self._closed = False
        self._stopping.clear()
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"webhook-receiver-{self.port}", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and release the port (connections are refused until `start`)."""
        self._stopping.set()
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()
        self._closed = True

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


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A sender that hangs up (a timeout, a crashed service) is not the receiver's error.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def _any_request(_request: ReceivedRequest) -> bool:
    return True


def _describe_requests(received: list[ReceivedRequest]) -> str:
    return f"received: {[(r.method, r.path, r.status) for r in received]}"


def _handler_for(receiver: WebhookReceiver) -> type[BaseHTTPRequestHandler]:
    class _RecordingHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            receiver._enter()
            try:
                self._answer()
            finally:
                receiver._leave()

        def _answer(self) -> None:
            headers = {key.lower(): value for key, value in self.headers.items()}
            status = receiver._record(self.command, self.path, headers, self._read_body())
            if receiver.trickle_seconds is not None:
                self._trickle_response(status)
                return
            self.send_response(status)
            # RFC 9110: a 204 carries no Content-Length; anything else says "empty" explicitly.
            if status != 204:
                self.send_header("Content-Length", "0")
            self.end_headers()

        def _trickle_response(self, status: int) -> None:
            phrase = self.responses.get(status, ("",))[0]
            length = "" if status == 204 else "Content-Length: 0\r\n"
            answer = f"HTTP/1.1 {status} {phrase}\r\n{length}\r\n".encode()
            self.close_connection = True
            try:
                for index in range(len(answer)):
                    pause = receiver.trickle_seconds
                    if pause is None:
                        self.wfile.write(answer[index:])
                        break
                    self.wfile.write(answer[index : index + 1])
                    self.wfile.flush()
                    if not self._sender_waits(pause):
                        return
            except OSError:
                return  # the sender gave up waiting and hung up

        def _sender_waits(self, seconds: float) -> bool:
            """Pause `seconds`; False at once if the sender hangs up or the receiver stops."""
            deadline = time.monotonic() + seconds
            while (left := deadline - time.monotonic()) > 0:
                if receiver._stopping.is_set():
                    return False
                readable, _, _ = select.select([self.connection], [], [], min(left, 0.05))
                if readable and not self.connection.recv(1, socket.MSG_PEEK):
                    return False  # end of stream: the sender closed the connection
            return True

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
