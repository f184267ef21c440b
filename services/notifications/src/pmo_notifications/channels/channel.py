"""What every delivery channel does: say what a notification looks like over it and who its
targets are, vet a subscriber's target, and send one message.

Routing, subscribing and the delivery job ask the channel; none tests a channel's name. The
questions about a channel's kind rather than its configuration (what a message looks like, who a
target is, where mail to it goes) are class methods, asked of the registered class without
settings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, Self

from pmo_notifications.config import NotificationsSettings
from pmo_notifications.domain.email_composition import ComposedEmail
from pmo_notifications.domain.sending import OutgoingMessage, SendOutcome
from pmo_notifications.domain.wording import Wording


@dataclass(frozen=True, slots=True)
class RoutedNotification:
    """One event routed to one recipient, in every form a channel may deliver it."""

    # The CloudEvent in structured mode, as machines receive it.
    event_json: str
    # The recipient's language, which a message for people is written in.
    wording: Wording
    # The e-mail for a person in that language, composed when a channel first asks for it (an
    # event's e-mail is composed once per language however many recipients read it).
    email: Callable[[], ComposedEmail]


@dataclass(frozen=True, slots=True)
class DeliveryMessage:
    """What a delivery carries over its channel (a subject only where the channel has one)."""

    subject: str | None
    body: str


class Channel(Protocol):
    """A way to reach a subscriber; registered by name in `channels.registry`."""

    @classmethod
    def from_settings(cls, settings: NotificationsSettings) -> Self:
        """The channel configured by the service's settings."""
        ...

    @classmethod
    def message_for(cls, notification: RoutedNotification) -> DeliveryMessage:
        """The subject and body a delivery of `notification` over this channel carries."""
        ...

    @classmethod
    def recipient_key(cls, target: str) -> str:
        """The form in which two targets are the same recipient (one event reaches it once)."""
        ...

    @classmethod
    def email_domain(cls, target: str) -> str | None:
        """The mail domain a checked target's messages go to; None for a channel sending no mail.

        The allow-list of e-mail domains applies to the subscriptions whose target has one.
        """
        ...

    @classmethod
    def concurrency_key(cls, target: str) -> str | None:
        """The receiver a send to `target` occupies, whose sends in flight are capped so one slow
        receiver cannot hold every sending slot; None when this channel's sends are not capped.
        """
        ...

    @classmethod
    def circuit_key(cls, target: str) -> str:
        """The target a send to `target` depends on, whose circuit breaker stops sends to it
        while it keeps failing (domain/circuit_breaker.py)."""
        ...

    @property
    def signs_messages(self) -> bool:
        """Whether messages are signed with the subscription's secret.

        A subscription on such a channel gets a secret when created, and a message whose
        subscription was deleted meanwhile is skipped (there is no secret left to sign with).
        """
        ...

    async def checked_target(self, target: str) -> str:
        """The target in canonical form; raises TargetRefused (with the reason) if unfit."""
        ...

    async def send(self, message: OutgoingMessage) -> SendOutcome:
        """Send one message; never raises for a failure the receiver or network caused."""
        ...
