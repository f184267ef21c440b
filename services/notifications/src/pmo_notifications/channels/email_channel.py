"""E-mail over SMTP (the standard library's client, run off the event loop)."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate

from pmo_notifications.channels.send_outcome import SendOutcome


class SmtpMailer:
    """Sends plain-text e-mails through one SMTP server."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout: float = 10.0,
    ) -> None:
        self._host = host
        self._port = port
        self._sender = sender
        self._username = username
        self._password = password
        self._starttls = starttls
        self._timeout = timeout

    async def send(self, *, to: str, subject: str, body: str, message_id: str) -> SendOutcome:
        """Send one e-mail; permanent SMTP refusals (5xx) are not worth retrying."""
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = to
        # Header values may not carry line breaks; a project name with one must not break out.
        message["Subject"] = " ".join(subject.split())
        message["Date"] = formatdate(usegmt=True)
        # The same id on every retry lets mail systems recognise a duplicate.
        message["Message-ID"] = f"<{message_id}@pmo-notifications>"
        message.set_content(body)
        try:
            await asyncio.to_thread(self._send_now, message)
        except smtplib.SMTPRecipientsRefused as exc:
            return SendOutcome.failure(f"the SMTP server refused {to}: {exc}", retryable=False)
        except smtplib.SMTPResponseException as exc:
            raw = exc.smtp_error
            detail = raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)
            return SendOutcome.failure(
                f"the SMTP server answered {exc.smtp_code}: {detail}",
                retryable=exc.smtp_code < 500,
            )
        except (smtplib.SMTPException, OSError) as exc:
            return SendOutcome.failure(f"could not talk to the SMTP server: {exc}")
        return SendOutcome.success()

    def _send_now(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self._host, self._port, timeout=self._timeout) as smtp:
            if self._starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self._username:
                smtp.login(self._username, self._password or "")
            smtp.send_message(message)
