"""A real SMTP server on loopback that keeps every message it receives (aiosmtpd)."""

from __future__ import annotations

import email
import email.policy
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from pmo_stack.arrivals import Arrivals
from pmo_stack.lifecycle import Startable
from pmo_stack.ports import free_port

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


class SmtpSink(Startable):
    """SMTP server in a background thread; messages kept in memory and optionally as .eml files."""

    def __init__(self, host: str = "127.0.0.1", port: int = 8025, mailbox_dir: Path | None = None):
        self.host = host
        self.port = port
        self.mailbox_dir = mailbox_dir
        self._arrivals: Arrivals[ReceivedMail] = Arrivals(_describe_mail)
        self._controller = self._new_controller()
        self._stopped = False

    def _new_controller(self) -> Controller:
        return Controller(
            _SinkHandler(self), hostname=self.host, port=self.port, enable_SMTPUTF8=True
        )

    @property
    def deliveries(self) -> list[ReceivedMail]:
        """Snapshot of everything received so far, oldest first."""
        return self._arrivals.snapshot()

    @property
    def messages(self) -> list[EmailMessage]:
        """Snapshot of the received messages, oldest first."""
        return [mail.message for mail in self.deliveries]

    def clear(self) -> None:
        """Forget every message received so far (files in mailbox_dir stay)."""
        self._arrivals.clear()

    def start(self) -> None:
        """Start listening (returns once the server accepts connections); after a `stop`, again
        on the same port, keeping what was received before (a mail server coming back)."""
        if self.mailbox_dir is not None:
            self.mailbox_dir.mkdir(parents=True, exist_ok=True)
        if self._stopped:
            # A stopped controller has closed its event loop: it cannot serve again.
            self._controller = self._new_controller()
            self._stopped = False
        self._controller.start()

    def stop(self) -> None:
        """Stop listening (connections are refused until `start`)."""
        self._controller.stop()
        self._stopped = True

    def wait_for_sync(
        self, predicate: MessagePredicate | None = None, timeout: float = 10.0
    ) -> EmailMessage:
        """Block until a message matching `predicate` (any, if None) has arrived; return it."""
        return self._arrivals.wait_for_sync(_on_message(predicate), timeout).message

    async def wait_for(
        self, predicate: MessagePredicate | None = None, timeout: float = 10.0
    ) -> EmailMessage:
        """Wait (without blocking the event loop) for a matching message; return it."""
        return (await self._arrivals.wait_for(_on_message(predicate), timeout)).message

    def _record(self, mail: ReceivedMail) -> None:
        if self.mailbox_dir is not None:
            stamp = mail.received_at.strftime("%Y%m%dT%H%M%S.%f")
            (self.mailbox_dir / f"{stamp}-{uuid.uuid4().hex[:8]}.eml").write_bytes(mail.raw)
        self._arrivals.append(mail)


def start_smtp_sink(attempts: int = 3) -> SmtpSink:
    """An SmtpSink listening on a free loopback port, raising the last error if none starts.

    free_port() can race with another process grabbing the port; a retry settles it.
    """
    last_error: Exception | None = None
    for _attempt in range(attempts):
        sink = SmtpSink("127.0.0.1", free_port())
        try:
            sink.start()
        except Exception as exc:
            last_error = exc
            continue
        return sink
    raise RuntimeError(f"could not start the SMTP sink: {last_error}")


def _on_message(predicate: MessagePredicate | None) -> Callable[[ReceivedMail], bool]:
    return lambda mail: predicate is None or predicate(mail.message)


def _describe_mail(received: list[ReceivedMail]) -> str:
    subjects = [str(mail.message.get("Subject", "")) for mail in received]
    return f"received subjects: {subjects}"
