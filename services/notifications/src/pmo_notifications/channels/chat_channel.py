"""Chat webhooks (Slack, Microsoft Teams): one event as a message people read in their chat.

A chat channel renders the event's summary (channels/chat_summary.py) into its vendor's JSON
when the delivery is planned, and POSTs it like a webhook (the SSRF policy, pinned connections,
retries, circuit breaker and delivery log of channels/http_channel.py), unsigned: the secret is
the URL the chat issued. The URL is a credential, so it must be https (plain http only where
PMO_NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE allows private targets, i.e. in development and tests).

The link back is planned relative (`/v1/alerts/...`) in an element whose id is LINK_ID, and
resolved against PMO_NOTIFICATIONS_PUBLIC_URL when sent (routing, which plans the message, has
no settings); without one, that element is left out of what is sent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Self

import httpx

from pmo_notifications.channels.channel import DeliveryMessage, RoutedNotification
from pmo_notifications.channels.chat_summary import ChatSummary, summarize
from pmo_notifications.channels.http_channel import HttpChannel
from pmo_notifications.config import NotificationsSettings
from pmo_notifications.domain.address_policy import TargetRefused, parse_webhook_url
from pmo_notifications.domain.sending import OutgoingMessage, SendOutcome

# Error answers worth another attempt: a timeout and a rate limit pass; any other 4xx says the
# URL or the message is wrong (Slack: 404 no_service, 410 channel_is_archived, 400
# invalid_payload), and trying again for 24 h would only fill the delivery log.
_PASSING_REFUSALS = frozenset({408, 429})
# The id of the element holding the link back (a Slack actions block, a Teams action).
LINK_ID = "pmo_link"
# How much of a refusal's body the delivery log keeps (Slack explains itself in a word).
_REASON_CHARS = 200

Json = Any


class ChatChannel(HttpChannel):
    """A chat's incoming webhook; subclasses render the summary in their vendor's JSON."""

    def __init__(
        self,
        *,
        timeout: float,
        allow_private: bool,
        connections_per_host: int = 2,
        public_url: str | None = None,
    ) -> None:
        super().__init__(
            timeout=timeout, allow_private=allow_private, connections_per_host=connections_per_host
        )
        self._public_url = public_url

    @classmethod
    def circuit_key(cls, target: str) -> str:
        """The webhook URL itself: a chat rate-limits and disables each incoming webhook on its
        own (Slack: about one message a second per webhook), so one channel's 429s or 404s must
        not hold every other team's messages to the same host."""
        return target

    @classmethod
    def concurrency_key(cls, target: str) -> str | None:
        """The webhook URL: sends in flight are capped per chat channel, not per vendor host."""
        return target

    @classmethod
    def from_settings(cls, settings: NotificationsSettings) -> Self:
        """The webhook settings, and the public URL links are resolved against."""
        channel = super().from_settings(settings)
        channel._public_url = settings.public_url
        return channel

    @classmethod
    def render(cls, summary: ChatSummary) -> dict[str, Json]:
        """The vendor's message for `summary` (its link relative)."""
        raise NotImplementedError

    @classmethod
    def message_for(cls, notification: RoutedNotification) -> DeliveryMessage:
        """The vendor's JSON for the event, without a subject (chats have none)."""
        payload = cls.render(summarize(notification.event_json, notification.wording))
        return DeliveryMessage(subject=None, body=json.dumps(payload, ensure_ascii=False))

    async def checked_target(self, target: str) -> str:
        """The URL if the SSRF policy accepts it and it is https (unless private is allowed)."""
        if not self._allow_private and parse_webhook_url(target).scheme != "https":
            raise TargetRefused("a chat webhook URL is a credential: only https:// is accepted")
        return await super().checked_target(target)

    def _request(self, message: OutgoingMessage) -> tuple[bytes, Mapping[str, str]] | SendOutcome:
        """The planned message with its link resolved (or left out)."""
        try:
            payload = json.loads(message.body)
        except ValueError:
            return SendOutcome.failure("the planned message is not JSON", retryable=False)
        resolved = with_links_resolved(payload, self._public_url)
        return json.dumps(resolved, ensure_ascii=False).encode(), {}

    def _refused(self, response: httpx.Response) -> SendOutcome:
        return chat_refusal(response)


def chat_refusal(response: httpx.Response) -> SendOutcome:
    """The outcome of a chat's error answer: 4xx but 408 and 429 end the delivery; the chat's
    reason (Slack's `no_service`) is kept for the delivery log."""
    status = response.status_code
    reason = " ".join(response.text.split())[:_REASON_CHARS]
    return SendOutcome.failure(
        f"the receiver answered HTTP {status}" + (f": {reason}" if reason else ""),
        http_status=status,
        retryable=not 400 <= status < 500 or status in _PASSING_REFUSALS,
    )


def with_links_resolved(node: Json, public_url: str | None) -> Json:
    """`node` with every relative `url` made absolute under `public_url`; without one, the
    elements holding the link (their `block_id` or `id` is LINK_ID) are left out."""
    if isinstance(node, list):
        return [
            with_links_resolved(item, public_url)
            for item in node
            if public_url is not None or not _holds_link(item)
        ]
    if isinstance(node, dict):
        return {
            key: f"{public_url}{value}"
            if key == "url" and isinstance(value, str) and value.startswith("/")
            else with_links_resolved(value, public_url)
            for key, value in node.items()
        }
    return node


def _holds_link(node: Json) -> bool:
    return isinstance(node, dict) and LINK_ID in (node.get("block_id"), node.get("id"))
