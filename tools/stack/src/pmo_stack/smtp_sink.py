"""A real SMTP server on loopback that keeps every message it receives (aiosmtpd)."""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from aiosmtpd.controller import Controller

MessagePredicate = Callable[[EmailMessage], bool]


@dataclass(frozen=True)
class ReceivedMail:
    """One accepted SMTP transaction: the envelope and the parsed message."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage
    raw: bytes
    received_at: datetime


class _SinkHandler:
    def __init__(self, sink: SmtpSink) -> None:
        self._sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        raw: bytes = envelope.original_content or b""
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)  # guaranteed by policy.default
        self._sink._record(
            ReceivedMail(
                mail_from=envelope.mail_from or "",
                rcpt_tos=tuple(envelope.rcpt_tos),
                message=message,
                raw=raw,
                received_at=datetime.now(UTC),
            )
        )
        return "250 Message accepted for delivery"


class SmtpSink:
    """SMTP server in a background thread; messages kept in memory and optionally as .eml files."""

    def __init__(self, host: str = "127.0.0.1", port: int = 8025, mailbox_dir: Path | None = None):
        self.host = host
        self.port = port
        self.mailbox_dir = mailbox_dir
        self._received: list[ReceivedMail] = []
        self._changed = threading.Condition()
        self._controller = Controller(
            _SinkHandler(self), hostname=host, port=port, enable_SMTPUTF8=True
        )

    @property
    def deliveries(self) -> list[ReceivedMail]:
        """Snapshot of everything received so far, oldest first."""
        with self._changed:
            return list(self._received)

    @property
    def messages(self) -> list[EmailMessage]:
        """Snapshot of the received messages, oldest first."""
        return [mail.message for mail in self.deliveries]

    def clear(self) -> None:
        """Forget every message received so far (files in mailbox_dir stay)."""
        with self._changed:
            self._received.clear()

    def start(self) -> None:
        """Start listening (returns once the server accepts connections)."""
        if self.mailbox_dir is not None:
            self.mailbox_dir.mkdir(parents=True, exist_ok=True)
        self._controller.start()

    def stop(self) -> None:
        """Stop listening."""
        self._controller.stop()

    def wait_for_sync(
        self, predicate: MessagePredicate | None = None, timeout: float = 10.0
    ) -> EmailMessage:
        """Block until a message matching `predicate` (any, if None) has arrived; return it."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = self._first_match(predicate)
                if found is not None:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(self._timeout_message(timeout))
                self._changed.wait(remaining)

    async def wait_for(
        self, predicate: MessagePredicate | None = None, timeout: float = 10.0
    ) -> EmailMessage:
        """Wait (without blocking the event loop) for a matching message; return it."""
        deadline = time.monotonic() + timeout
        while True:
            with self._changed:
                found = self._first_match(predicate)
            if found is not None:
                return found
            if time.monotonic() >= deadline:
                raise TimeoutError(self._timeout_message(timeout))
            await asyncio.sleep(0.05)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _first_match(self, predicate: MessagePredicate | None) -> EmailMessage | None:
        for mail in self._received:
            if predicate is None or predicate(mail.message):
                return mail.message
        return None

    def _timeout_message(self, timeout: float) -> str:
        subjects = [str(m.message.get("Subject", "")) for m in self._received]
        return f"no matching e-mail within {timeout:.1f}s; received subjects: {subjects}"

    def _record(self, mail: ReceivedMail) -> None:
        if self.mailbox_dir is not None:
            stamp = mail.received_at.strftime("%Y%m%dT%H%M%S.%f")
            (self.mailbox_dir / f"{stamp}-{uuid.uuid4().hex[:8]}.eml").write_bytes(mail.raw)
        with self._changed:
            self._received.append(mail)
            self._changed.notify_all()
