"""What every channel POSTing JSON to a subscriber's URL shares: the SSRF policy, connections
pinned to the vetted address (channels/webhook_connections.py) and one deadline per send.

Signed webhooks (channels/webhook_channel.py) and the chat webhooks of Slack and Teams
(channels/chat_channel.py) differ only in what they add to a message (a signature, a resolved
link) and in which error answers are worth another attempt.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, Self

import httpx

from pmo_notifications.channels.address_resolution import TargetUnresolvable, vet_webhook_url
from pmo_notifications.channels.webhook_connections import WebhookConnections
from pmo_notifications.config import NotificationsSettings
from pmo_notifications.domain.address_policy import TargetRefused, parse_webhook_url
from pmo_notifications.domain.sending import OutgoingMessage, SendOutcome


class HttpChannel:
    """POSTs a message body to the subscriber's URL, vetted again at every send.

    Its connections stay open between sends; used as an async context manager (the delivery job
    does), it closes them when the block ends. Subclasses say what a message sends
    (`_request`) and how an error answer ends (`_refused`).
    """

    signs_messages = False
    # How the service introduces itself to the receiver.
    user_agent = "pmo-notifications/1.0"

    def __init__(
        self, *, timeout: float, allow_private: bool, connections_per_host: int = 2
    ) -> None:
        self._timeout = timeout
        self._allow_private = allow_private
        self._connections = WebhookConnections(timeout=timeout, per_host=connections_per_host)

    @classmethod
    def from_settings(cls, settings: NotificationsSettings) -> Self:
        """The channel with the configured timeout, SSRF policy and per-receiver cap."""
        return cls(
            timeout=settings.webhook_timeout_seconds,
            allow_private=settings.webhook_allow_private,
            connections_per_host=settings.webhook_max_concurrency_per_host,
        )

    @property
    def connections(self) -> WebhookConnections:
        """The channel's pooled connections."""
        return self._connections

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._connections.aclose()

    @classmethod
    def recipient_key(cls, target: str) -> str:
        """URLs are compared as given (a path may be case-sensitive)."""
        return target

    @classmethod
    def email_domain(cls, target: str) -> str | None:
        """These channels send no e-mail: the allow-list of e-mail domains does not apply."""
        return None

    @classmethod
    def concurrency_key(cls, target: str) -> str | None:
        """The receiver's scheme, host and port: sends to one receiver are capped."""
        return cls.circuit_key(target)

    @classmethod
    def circuit_key(cls, target: str) -> str:
        """The receiver's scheme, host and port: the endpoints of one server fail together."""
        try:
            parsed = parse_webhook_url(target)
        except TargetRefused:
            return target
        return f"{parsed.scheme}://{parsed.host_header}".lower()

    async def checked_target(self, target: str) -> str:
        """The URL if the SSRF policy accepts it (resolving its host unless private is allowed)."""
        if self._allow_private:
            parse_webhook_url(target)
        else:
            await vet_webhook_url(target, allow_private=False)
        return target

    async def send(self, message: OutgoingMessage) -> SendOutcome:
        """Deliver one message within the timeout as a whole (resolving, connecting, sending and
        reading), so a receiver trickling its answer cannot hold the send for longer."""
        try:
            async with asyncio.timeout(self._timeout):
                return await self._send(message)
        except TimeoutError:
            return SendOutcome.failure(
                f"the receiver did not answer within {self._timeout:g} s (timed out)"
            )

    def _request(self, message: OutgoingMessage) -> tuple[bytes, Mapping[str, str]] | SendOutcome:
        """The body to POST and the headers to add to it, or why this message cannot be sent."""
        return message.body.encode(), {}

    def _refused(self, response: httpx.Response) -> SendOutcome:
        """The outcome of an error answer (4xx or 5xx): worth retrying unless said otherwise."""
        status = response.status_code
        return SendOutcome.failure(f"the receiver answered HTTP {status}", http_status=status)

    async def _send(self, message: OutgoingMessage) -> SendOutcome:
        """One attempt; the target is vetted again now, against DNS rebinding."""
        request = self._request(message)
        if isinstance(request, SendOutcome):
            return request
        body, extra_headers = request
        try:
            target, addresses = await vet_webhook_url(
                message.target, allow_private=self._allow_private
            )
        except TargetUnresolvable as exc:
            return SendOutcome.failure(exc.reason)
        except TargetRefused as exc:
            return SendOutcome.failure(f"refused: {exc.reason}", retryable=False)
        headers = {
            "content-type": "application/json",
            "user-agent": self.user_agent,
            "host": target.host_header,
            **extra_headers,
        }
        # Connecting to the vetted address (not the name) closes the gap between the check and
        # the connection; SNI and certificate checks still use the real host name.
        extensions: dict[str, Any] = {}
        if target.scheme == "https":
            extensions["sni_hostname"] = target.host
        for index, address in enumerate(addresses):
            try:
                # A connection reused here leads to this host name at this vetted address only.
                async with self._connections.client_for(target) as client:
                    response = await client.post(
                        target.url_via(address),
                        content=body,
                        headers=headers,
                        extensions=extensions,
                    )
                break
            except httpx.ConnectError as exc:
                # Like a browser, try the name's next address before calling it a failure.
                if index == len(addresses) - 1:
                    return SendOutcome.failure(f"could not connect: {exc}".strip())
            except httpx.HTTPError as exc:
                return SendOutcome.failure(f"network error: {type(exc).__name__}: {exc}".strip())
        status = response.status_code
        if 200 <= status < 300:
            return SendOutcome.success(status)
        if 300 <= status < 400:
            location = response.headers.get("location", "?")
            return SendOutcome.failure(
                f"the receiver answered {status} redirecting to {location}; "
                "redirects are not followed",
                http_status=status,
            )
        return self._refused(response)
