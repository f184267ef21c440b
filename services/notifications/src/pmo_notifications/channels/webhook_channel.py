"""Signed webhooks (Standard Webhooks) over HTTP, pinned to the address that was vetted."""

from __future__ import annotations

import time
from collections.abc import Mapping

from pmo_notifications.channels.channel import DeliveryMessage, RoutedNotification
from pmo_notifications.channels.http_channel import HttpChannel
from pmo_notifications.domain.sending import OutgoingMessage, SendOutcome
from pmo_notifications.domain.webhook_signature import signature_headers

# The name subscriptions and deliveries carry.
WEBHOOK = "webhook"
USER_AGENT = "pmo-notifications/1.0 (Standard Webhooks)"


class WebhookChannel(HttpChannel):
    """POSTs a CloudEvent to a subscriber's URL with Standard Webhooks signature headers.

    Every error answer is retried on the schedule (docs/adr/0006): the receiver is the
    subscriber's own service, whose 4xx may be passing.
    """

    signs_messages = True
    user_agent = USER_AGENT

    @classmethod
    def message_for(cls, notification: RoutedNotification) -> DeliveryMessage:
        """The CloudEvent itself, without a subject."""
        return DeliveryMessage(subject=None, body=notification.event_json)

    def _request(self, message: OutgoingMessage) -> tuple[bytes, Mapping[str, str]] | SendOutcome:
        """The CloudEvent and its signature headers; a message without a secret is not sent."""
        if message.secret is None:
            return SendOutcome.failure("no signing secret for this webhook", retryable=False)
        body = message.body.encode()
        return body, signature_headers(message.secret, message.message_id, int(time.time()), body)
