"""One SMTP conversation held to a deadline as a whole.

The standard library's client runs in a worker thread, and its timeout bounds each socket read,
not the conversation: a server dribbling a byte now and then keeps every read alive forever.
`SmtpConversation.run` waits for the thread up to the deadline; past it, the socket is shut
down from the event loop's side, so the blocked read returns at once, the thread ends, and the
delivery's slot (and claim) is free again.
"""

from __future__ import annotations

import asyncio
import contextlib
import smtplib
import socket
import ssl
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.message import EmailMessage

# Conversations at once in this process: the delivery job never has more sends in flight (its
# MAX_IN_FLIGHT). A pool of their own keeps slow SMTP servers from starving the event loop's
# default pool, which resolves the webhooks' host names; its threads start on first use.
MAX_CONVERSATIONS = 20
_POOL = ThreadPoolExecutor(MAX_CONVERSATIONS, thread_name_prefix="smtp")


@dataclass(frozen=True, slots=True)
class SmtpServer:
    """Where and how to deliver: the server, its credentials and whether to STARTTLS."""

    host: str
    port: int
    username: str | None = None
    password: str | None = None
    starttls: bool = False


class ConversationCutOff(smtplib.SMTPServerDisconnected):
    """The deadline passed: the conversation was cut off from the event loop's side."""


class SmtpConversation:
    """Sends one message within `deadline` seconds in all, or is cut off."""

    def __init__(self, server: SmtpServer, *, deadline: float) -> None:
        self._server = server
        self._deadline = deadline
        self._lock = threading.Lock()
        self._client: smtplib.SMTP | None = None
        self._cut_off = False

    async def run(self, message: EmailMessage) -> None:
        """Send `message`; TimeoutError when the whole conversation outlasts the deadline."""
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self._deadline):
                await loop.run_in_executor(_POOL, self._converse, message)
        except TimeoutError:
            self._cut()
            raise

    def _converse(self, message: EmailMessage) -> None:
        # Each read is also bounded by the deadline, should the cut-off come before the socket.
        client = smtplib.SMTP(timeout=self._deadline)
        with self._lock:
            if self._cut_off:
                raise ConversationCutOff("the deadline passed before connecting")
            self._client = client
        with client:
            code, reply = client.connect(self._server.host, self._server.port)
            if code != 220:
                raise smtplib.SMTPConnectError(code, reply)
            self._check_not_cut()
            if self._server.starttls:
                client.starttls(context=ssl.create_default_context())
            if self._server.username:
                client.login(self._server.username, self._server.password or "")
            client.send_message(message)

    def _check_not_cut(self) -> None:
        # A cut-off that came while the socket was still being opened found nothing to shut.
        with self._lock:
            if self._cut_off:
                raise ConversationCutOff("the deadline passed while connecting")

    def _cut(self) -> None:
        with self._lock:
            self._cut_off = True
            client = self._client
        sock = client.sock if client is not None else None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
