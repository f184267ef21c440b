"""Channels are plug-ins: a class implementing `Channel` plus a registry entry is a new channel.

The fake in-app inbox below is registered in a copy of the registry only; the consumed-event
handlers, routing and the delivery job reach it with no other change. Its message (the e-mail's
subject over the CloudEvent) and its notion of one recipient (one inbox per user, whatever the
device) are what neither e-mail nor webhook would give, so routing or dispatch that decided by
the channel's name again would fail here.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from pmo_common.events.envelope import CloudEvent
from pmo_common.messaging.event_applier import EventApplier, Outcome
from pmo_notifications.channels import registry
from pmo_notifications.channels.channel import Channel, DeliveryMessage, RoutedNotification
from pmo_notifications.channels.registry import build_channels
from pmo_notifications.config import NotificationsSettings
from pmo_notifications.db.subscription_repository import insert_subscription
from pmo_notifications.db.tables import deliveries, messaging
from pmo_notifications.domain.clock import utc_now
from pmo_notifications.domain.delivery_schedule import DELIVERED
from pmo_notifications.domain.sending import OutgoingMessage, SendOutcome
from pmo_notifications.domain.subscription_matching import SubscriptionRecord
from pmo_notifications.handlers.delivery_dispatcher import DeliveryDispatcher
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

# A name the delivery events' contract already lists, so the job can report the delivery.
INBOX = "inbox"
INBOX_SENT: list[OutgoingMessage] = []


class InboxChannel:
    """A fake in-app inbox: a title line over the event, one inbox per user (`user#device`)."""

    signs_messages = False

    @classmethod
    def from_settings(cls, settings: NotificationsSettings) -> InboxChannel:
        return cls()

    @classmethod
    def message_for(cls, notification: RoutedNotification) -> DeliveryMessage:
        return DeliveryMessage(subject=notification.email().subject, body=notification.event_json)

    @classmethod
    def recipient_key(cls, target: str) -> str:
        return target.split("#", 1)[0]

    @classmethod
    def email_domain(cls, target: str) -> str | None:
        return None

    @classmethod
    def concurrency_key(cls, target: str) -> str | None:
        return None

    @classmethod
    def circuit_key(cls, target: str) -> str:
        return INBOX

    async def checked_target(self, target: str) -> str:
        return target

    async def send(self, message: OutgoingMessage) -> SendOutcome:
        INBOX_SENT.append(message)
        return SendOutcome.success()


@dataclass
class Service:
    """The service's applier and sessions on their own engine (no delivery job running)."""

    settings: NotificationsSettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    applier: EventApplier

    async def subscribe(self, channel: str, target: str, project_id: str) -> str:
        subscription_id = str(uuid.uuid4())
        async with self.sessions() as session, session.begin():
            await insert_subscription(
                session,
                subscription=SubscriptionRecord(
                    id=subscription_id,
                    owner="ada",
                    owner_email="ada@example.com",
                    channel=channel,
                    target=target,
                    event_types=("project.at_risk",),
                    project_id=project_id,
                    portfolio_id=None,
                    min_severity="info",
                    secret=None,
                    created_at=utc_now(),
                ),
            )
        return subscription_id

    async def deliveries_over(self, channel: str) -> list[Any]:
        async with self.sessions() as session:
            query = select(deliveries).where(deliveries.c.channel == channel)
            return list((await session.execute(query)).all())


@pytest.fixture
def inbox_registered(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The registry with the inbox added (a copy: the real mapping is left alone)."""
    channels: dict[str, type[Channel]] = {**registry.CHANNELS, INBOX: InboxChannel}
    monkeypatch.setattr(registry, "CHANNELS", channels)
    INBOX_SENT.clear()
    yield
    INBOX_SENT.clear()


@pytest.fixture
def service(
    notifications_settings: NotificationsSettings,
    service_applier: tuple[AsyncEngine, async_sessionmaker[AsyncSession], EventApplier],
) -> Service:
    return Service(notifications_settings, *service_applier)


async def apply_at_risk(service: Service, project_id: str, payloads: Any) -> CloudEvent:
    event = CloudEvent(
        source="/pmo/test",
        type="project.at_risk",
        subject=project_id,
        data=payloads.at_risk(project_id).model_dump(mode="json"),
    )
    outcome, failure = await service.applier.apply(event)
    assert (outcome, failure) == (Outcome.APPLIED, None)
    return event


@pytest.mark.usefixtures("inbox_registered")
async def test_a_registered_channel_is_routed_and_delivered_with_no_other_change(
    service: Service, notifications_payloads: Any
) -> None:
    project_id = str(uuid.uuid4())
    await service.subscribe(INBOX, "user:ada#desktop", project_id)
    await service.subscribe(INBOX, "user:ada#phone", project_id)
    await service.subscribe(INBOX, "user:grace#desktop", project_id)

    event = await apply_at_risk(service, project_id, notifications_payloads)

    # Routing asked the channel: ada's two devices are one inbox (whichever subscription came
    # first), and each delivery carries what the channel made of the notification (the
    # e-mail's subject over the CloudEvent).
    planned = await service.deliveries_over(INBOX)
    assert sorted(InboxChannel.recipient_key(row.target) for row in planned) == [
        "user:ada",
        "user:grace",
    ]
    subject = "[PMO] Project Apollo is at risk (red)"
    for row in planned:
        assert (row.subject, row.payload) == (subject, event.to_bytes().decode())

    # The delivery job sends over the channel the registry builds, and reports the delivery.
    dispatcher = DeliveryDispatcher(
        sessions=service.sessions,
        settings=service.settings,
        channels=build_channels(service.settings),
    )
    assert await dispatcher.start_due() >= len(planned)
    await dispatcher.drain()
    assert sorted((message.target, message.subject) for message in INBOX_SENT) == sorted(
        (row.target, subject) for row in planned
    )
    assert all(json.loads(message.body)["id"] == event.id for message in INBOX_SENT)
    assert {row.message_id for row in planned} == {message.message_id for message in INBOX_SENT}
    assert {row.status for row in await service.deliveries_over(INBOX)} == {DELIVERED}
    async with service.sessions() as session:
        reported = await session.execute(
            select(messaging.outbox.c.payload).where(
                messaging.outbox.c.topic == "notification.delivered"
            )
        )
        channels = [CloudEvent.model_validate_json(row.payload).data["channel"] for row in reported]
    assert channels.count(INBOX) == len(planned)


async def test_a_subscription_on_an_unregistered_channel_is_left_out(
    service: Service, notifications_payloads: Any
) -> None:
    project_id = str(uuid.uuid4())
    await service.subscribe(INBOX, "user:ada#desktop", project_id)
    await service.subscribe("email", "desk@example.com", project_id)

    await apply_at_risk(service, project_id, notifications_payloads)

    assert await service.deliveries_over(INBOX) == []
    assert [row.target for row in await service.deliveries_over("email")] == [
        "ada@example.com",
        "desk@example.com",
    ]
