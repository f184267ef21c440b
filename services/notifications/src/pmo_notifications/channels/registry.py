"""The channels notifications delivers over, by the name subscriptions and deliveries carry.

A new channel is one module implementing `Channel` plus one entry here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pmo_notifications.channels.channel import Channel
from pmo_notifications.channels.email_channel import EmailChannel
from pmo_notifications.channels.webhook_channel import WebhookChannel
from pmo_notifications.config import NotificationsSettings

ChannelFactory = Callable[[NotificationsSettings], Channel]

CHANNELS: Mapping[str, ChannelFactory] = {
    "email": EmailChannel.from_settings,
    "webhook": WebhookChannel.from_settings,
}


def build_channels(settings: NotificationsSettings) -> dict[str, Channel]:
    """One configured instance of every registered channel, by name."""
    return {name: factory(settings) for name, factory in CHANNELS.items()}


def channel_named(name: str, settings: NotificationsSettings) -> Channel:
    """The configured channel registered under `name` (KeyError when there is none)."""
    return CHANNELS[name](settings)
