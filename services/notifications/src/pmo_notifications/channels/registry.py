"""The channels notifications delivers over, by the name subscriptions and deliveries carry.

A new channel is one module implementing `Channel` plus one entry here. Routing asks the
registered class what a notification looks like over the channel and who its targets are
(`channel_kind`); subscribing and the delivery job use configured instances (`channel_named`,
`build_channels`, `open_channels`). Every lookup reads `CHANNELS` when called.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager

from pmo_notifications.channels.channel import Channel
from pmo_notifications.channels.email_channel import EMAIL, EmailChannel
from pmo_notifications.channels.slack_channel import SLACK, SlackChannel
from pmo_notifications.channels.teams_channel import TEAMS, TeamsChannel
from pmo_notifications.channels.webhook_channel import WEBHOOK, WebhookChannel
from pmo_notifications.config import NotificationsSettings

CHANNELS: Mapping[str, type[Channel]] = {
    EMAIL: EmailChannel,
    WEBHOOK: WebhookChannel,
    SLACK: SlackChannel,
    TEAMS: TeamsChannel,
}


def channel_kind(name: str) -> type[Channel]:
    """The channel class registered under `name` (KeyError when there is none)."""
    return CHANNELS[name]


def build_channels(settings: NotificationsSettings) -> dict[str, Channel]:
    """One configured instance of every registered channel, by name."""
    return {name: kind.from_settings(settings) for name, kind in CHANNELS.items()}


def channel_named(name: str, settings: NotificationsSettings) -> Channel:
    """The configured channel registered under `name` (KeyError when there is none)."""
    return channel_kind(name).from_settings(settings)


@asynccontextmanager
async def open_channels(settings: NotificationsSettings) -> AsyncIterator[dict[str, Channel]]:
    """`build_channels` for the life of the block: a channel holding connections (an async
    context manager, like the webhook channel's pool) is entered here and closed at the end."""
    channels = build_channels(settings)
    async with AsyncExitStack() as stack:
        for channel in channels.values():
            if isinstance(channel, AbstractAsyncContextManager):
                await stack.enter_async_context(channel)
        yield channels
