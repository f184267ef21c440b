"""Signed webhooks (Standard Webhooks) over HTTP, pinned to the address that was vetted."""

from __future__ import annotations

import asyncio
import time
from typing import Any, Self

import httpx

from pmo_notifications.channels.address_resolution import TargetUnresolvable, vet_webhook_url
from pmo_notifications.channels.channel import DeliveryMessage, RoutedNotification
from pmo_notifications.channels.webhook_connections import WebhookConnections
from pmo_notifications.config import NotificationsSettings
from pmo_notifications.domain.address_policy import TargetRefused, parse_webhook_url
from pmo_notifications.domain.sending import OutgoingMessage, SendOutcome
from pmo_notifications.domain.webhook_signature import signature_headers

# The name subscriptions and deliveries carry.
WEBHOOK = "webhook"
USER_AGENT = "pmo-notifications/1.0 (Standard Webhooks)"


class WebhookChannel:
    """POSTs a CloudEvent to a subscriber's URL with Standard Webhooks signature headers.

    Its connections stay open between sends (channels/webhook_connections.py); used as an async
    context manager (the delivery job does), it closes them when the block ends.
    """

    signs_messages = True

    def __init__(
        self, *, timeout: float, allow_private: bool, connections_per_host: int = 2
    ) -> None:
        self._timeout = timeout
        self._allow_private = allow_private
        self._connections = WebhookConnections(timeout=timeout, per_host=connections_per_host)

    @classmethod
    def from_settings(cls, settings: NotificationsSettings) -> WebhookChannel:
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
    def message_for(cls, notification: RoutedNotification) -> DeliveryMessage:
        """The CloudEvent itself, without a subject."""
        return DeliveryMessage(subject=None, body=notification.event_json)

    @classmethod
    def recipient_key(cls, target: str) -> str:
        """URLs are compared as given (a path may be case-sensitive)."""
        return target

    @classmethod
    def email_domain(cls, target: str) -> str | None:
        """Webhooks send no e-mail: the allow-list of e-mail domains does not apply."""
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

    async def _send(self, message: OutgoingMessage) -> SendOutcome:
        """One attempt; the target is vetted again now, against DNS rebinding."""
        if message.secret is None:
            return SendOutcome.failure("no signing secret for this webhook", retryable=False)
        url, secret, message_id = message.target, message.secret, message.message_id
        body = message.body.encode()
        try:
            target, addresses = await vet_webhook_url(url, allow_private=self._allow_private)
        except TargetUnresolvable as exc:
            return SendOutcome.failure(exc.reason)
        except TargetRefused as exc:
            return SendOutcome.failure(f"refused: {exc.reason}", retryable=False)
        headers = {
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            "host": target.host_header,
            **signature_headers(secret, message_id, int(time.time()), body),
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
        return SendOutcome.failure(f"the receiver answered HTTP {status}", http_status=status)
