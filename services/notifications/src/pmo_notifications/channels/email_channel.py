"""E-mail over SMTP (the standard library's client, run off the event loop under one deadline)."""

from __future__ import annotations

import json
import smtplib
from email.message import EmailMessage
from email.utils import formatdate

from email_validator import EmailNotValidError, validate_email

from pmo_notifications.channels.channel import DeliveryMessage, RoutedNotification
from pmo_notifications.channels.smtp_conversation import SmtpConversation, SmtpServer
from pmo_notifications.config import NotificationsSettings
from pmo_notifications.domain.address_policy import TargetRefused
from pmo_notifications.domain.sending import OutgoingMessage, SendOutcome

# The name subscriptions and deliveries carry; people owed an e-mail are reached over it.
EMAIL = "email"
# The circuit every e-mail shares: the configured SMTP server.
SMTP_SERVER = "smtp-server"


# A delivery's payload is the e-mail's text as is; one with an HTML alternative (a digest) is
# stored as this marker line and a JSON object of both parts, so every other e-mail (and every
# payload stored before) reads as it always did.
_ALTERNATIVE_MARKER = "pmo-email-alternative/1\n"


def stored_body(text: str, html: str | None) -> str:
    """The payload a delivery stores for an e-mail of this text and optional HTML."""
    if html is None:
        return text
    return _ALTERNATIVE_MARKER + json.dumps({"text": text, "html": html})


def stored_parts(payload: str) -> tuple[str, str | None]:
    """The text and the HTML (None for a plain e-mail) a stored payload holds."""
    if not payload.startswith(_ALTERNATIVE_MARKER):
        return payload, None
    parts = json.loads(payload.removeprefix(_ALTERNATIVE_MARKER))
    return str(parts["text"]), str(parts["html"])


class EmailChannel:
    """Sends e-mails (plain text, or text with an HTML alternative) through one SMTP server."""

    signs_messages = False

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
        self._server = SmtpServer(
            host=host, port=port, username=username, password=password, starttls=starttls
        )
        self._sender = sender
        self._timeout = timeout

    @classmethod
    def from_settings(cls, settings: NotificationsSettings) -> EmailChannel:
        """The channel on the configured SMTP server."""
        password = settings.smtp_password
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_from,
            username=settings.smtp_username,
            password=password.get_secret_value() if password else None,
            starttls=settings.smtp_starttls,
            timeout=settings.smtp_timeout_seconds,
        )

    @classmethod
    def message_for(cls, notification: RoutedNotification) -> DeliveryMessage:
        """The e-mail composed for the reader (its HTML alternative too, if it has one)."""
        email = notification.email()
        return DeliveryMessage(subject=email.subject, body=stored_body(email.body, email.html))

    @classmethod
    def recipient_key(cls, target: str) -> str:
        """Addresses that differ only in case reach one mailbox."""
        return target.lower()

    @classmethod
    def email_domain(cls, target: str) -> str | None:
        """The address's domain in ASCII (xn-- form for an internationalised one), lower case."""
        try:
            return validate_email(target, check_deliverability=False).ascii_domain.lower()
        except EmailNotValidError:
            return target.rpartition("@")[2].lower()

    @classmethod
    def concurrency_key(cls, target: str) -> str | None:
        """Every e-mail goes through the service's own SMTP server: not capped per recipient."""
        return None

    @classmethod
    def circuit_key(cls, target: str) -> str:
        """Every e-mail depends on the one SMTP server: when it fails, it fails for all."""
        return SMTP_SERVER

    async def checked_target(self, target: str) -> str:
        """The address in normalised form; TargetRefused when it is not an e-mail address."""
        try:
            return validate_email(target, check_deliverability=False).normalized
        except EmailNotValidError as exc:
            raise TargetRefused(f"not a valid e-mail address: {exc}") from exc

    async def send(self, message: OutgoingMessage) -> SendOutcome:
        """Send one e-mail within the timeout as a whole (connecting, STARTTLS, login, every
        command); permanent SMTP refusals (5xx) are not worth retrying."""
        to = message.target
        mail = EmailMessage()
        mail["From"] = self._sender
        mail["To"] = to
        # Header values may not carry line breaks; a project name with one must not break out.
        mail["Subject"] = " ".join((message.subject or "").split())
        mail["Date"] = formatdate(usegmt=True)
        # The same id on every retry lets mail systems recognise a duplicate.
        mail["Message-ID"] = f"<{message.message_id}@pmo-notifications>"
        text, html = stored_parts(message.body)
        mail.set_content(text)
        if html is not None:
            # multipart/alternative: clients show the last part they can render, the HTML.
            mail.add_alternative(html, subtype="html")
        conversation = SmtpConversation(self._server, deadline=self._timeout)
        try:
            await conversation.run(mail)
        except TimeoutError:
            return SendOutcome.failure(
                f"the SMTP server did not take the message within {self._timeout:g} s (timed out)"
            )
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
