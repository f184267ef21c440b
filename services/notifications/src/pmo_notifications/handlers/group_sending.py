"""The group job: every PMO_NOTIFICATIONS_GROUP_CHECK_SECONDS, each group of deliveries that is
due goes out as one delivery (ADR 0017).

A group goes out in one transaction: its row is locked, its waiting events are taken by
compare-and-set (`grouped_into` set where still null) and its one delivery is planned, all or
nothing. A replica that stops before committing leaves the events waiting for the next pass of
any replica; a replica that finds the group taken meanwhile takes nothing. The delivery then
travels as any other (retries, circuit breaker, delivery log, notification.delivered).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime

from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.events.envelope import CloudEvent
from pmo_common.messaging.waiting import run_every
from pmo_common.web.runtime import ServiceRuntime
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pmo_notifications.channels.channel import RoutedNotification
from pmo_notifications.channels.registry import channel_kind
from pmo_notifications.config import NotificationsSettings
from pmo_notifications.db.delivery_group_repository import (
    due_group_ids,
    lock_group,
    postpone_waiting,
    project_names,
    record_group_sent,
    take_waiting,
)
from pmo_notifications.db.delivery_repository import insert_planned_deliveries
from pmo_notifications.db.subscription_repository import get_subscription
from pmo_notifications.domain.alert_group import (
    GROUP_EVENT_SOURCE,
    GROUP_EVENT_TYPE,
    MAX_ALERTS_PER_GROUP,
    GroupedAlert,
    compose_group_email,
    group_data,
)
from pmo_notifications.domain.clock import utc_now
from pmo_notifications.domain.delivery_grouping import (
    DeliveryGroup,
    GroupingWindow,
    grouping_window,
    held_until,
    next_send_after,
)
from pmo_notifications.domain.delivery_schedule import (
    PENDING,
    SKIPPED,
    DeliveryRecord,
    PlannedDelivery,
)
from pmo_notifications.domain.webhook_signature import new_message_id
from pmo_notifications.domain.wording import Wording
from pmo_notifications.handlers.delivery_dispatcher import SUBSCRIPTION_GONE
from pmo_notifications.handlers.delivery_signal import mark_deliveries_planned
from pmo_notifications.handlers.wordings import message_languages

log = logging.getLogger(__name__)
# Groups looked at per pass; more wait for the next pass, longest due first.
GROUPS_PER_PASS = 100


async def send_due_groups(sessions: async_sessionmaker[AsyncSession], *, due_by: datetime) -> int:
    """Plan the delivery of every group with an event due by `due_by`, each group in its own
    unit of work; returns how many this call planned (another replica may take some first)."""
    async with sessions() as session:
        due = await due_group_ids(session, due_by=due_by, limit=GROUPS_PER_PASS)
    planned = 0
    for group_id in due:
        async with sessions() as session:
            if await send_group(session, group_id=group_id, due_by=due_by):
                planned += 1
    return planned


async def send_group(session: AsyncSession, *, group_id: str, due_by: datetime) -> bool:
    """Take the group's waiting events into one planned delivery, unless its interval since the
    last send holds it back (its events then wait until then); whether a delivery was planned."""
    async with unit_of_work(session):
        group = await lock_group(session, group_id=group_id)
        if group is None:
            return False
        held = held_until(next_send_at=group.next_send_at, due_by=due_by)
        if held is not None:
            await postpone_waiting(session, group_id=group_id, until=held)
            return False
        now = utc_now()
        message_id = new_message_id()
        taken = await take_waiting(
            session, group_id=group_id, message_id=message_id, at=now, limit=MAX_ALERTS_PER_GROUP
        )
        if not taken:
            return False
        subscription = await get_subscription(
            session, subscription_id=group.subscription_id, include_deleted=True
        )
        window = grouping_window(subscription) if subscription is not None else GroupingWindow()
        alerts = await _named_alerts(session, taken)
        gone = subscription is None or subscription.deleted_at is not None
        wording = message_languages(session).wording(subscription.locale if subscription else None)
        delivery = _group_delivery(group, taken[0], alerts, wording, at=now, gone=gone)
        await insert_planned_deliveries(
            session, planned=[delivery], message_ids=[message_id], at=now
        )
        await record_group_sent(
            session,
            group_id=group_id,
            sent_at=now,
            next_send_at=next_send_after(window, sent_at=now),
        )
        if delivery.status == PENDING:
            mark_deliveries_planned(session)
        log.info(
            "group %s of subscription %s: %d events in one delivery",
            group_id,
            group.subscription_id,
            len(taken),
        )
        return True


async def _named_alerts(
    session: AsyncSession, taken: Sequence[DeliveryRecord]
) -> list[GroupedAlert]:
    """The group's events as its delivery lists them, each named after its project (an alert.*
    event carries only the project's id: the projection knows its name)."""
    alerts = [GroupedAlert.from_json(delivery.payload) for delivery in taken]
    unnamed = {a.project_id for a in alerts if a.project_name is None and a.project_id is not None}
    names = await project_names(session, project_ids=unnamed)
    return [alert.named(names.get(alert.project_id or "")) for alert in alerts]


def _group_delivery(
    group: DeliveryGroup,
    member: DeliveryRecord,
    alerts: Sequence[GroupedAlert],
    wording: Wording,
    *,
    at: datetime,
    gone: bool,
) -> PlannedDelivery:
    """The group's one delivery over its subscription's channel: the `pmo.alert.group`
    CloudEvent, as the channel carries it (e-mail: one summary), in the subscriber's language."""
    event = CloudEvent(
        source=GROUP_EVENT_SOURCE,
        type=GROUP_EVENT_TYPE,
        subject=group.portfolio_id,
        time=at,
        data=group_data(group.portfolio_id, alerts),
    )
    message = channel_kind(member.channel).message_for(
        RoutedNotification(
            event_json=event.to_bytes().decode(),
            wording=wording,
            email=lambda: compose_group_email(wording, group.portfolio_id, alerts),
        )
    )
    return PlannedDelivery(
        event_id=event.id,
        event_type=GROUP_EVENT_TYPE,
        alert_id=None,
        project_id=None,
        subscription_id=group.subscription_id,
        channel=member.channel,
        target=member.target,
        subject=message.subject,
        payload=message.body,
        # Deleted since its events joined: recorded, not sent (as a planned delivery would be).
        status=SKIPPED if gone else PENDING,
        error=SUBSCRIPTION_GONE if gone else None,
    )


async def run_group_job(runtime: ServiceRuntime, stop: asyncio.Event) -> None:
    """Send the due groups every few seconds until the service stops (0: never here)."""
    settings = runtime.settings
    if not isinstance(settings, NotificationsSettings):
        raise TypeError("the group job needs NotificationsSettings")
    await run_every(
        stop,
        settings.group_check_seconds,
        lambda: send_due_groups(runtime.sessions, due_by=utc_now()),
        what="grouped delivery check",
        counted="grouped deliveries planned",
    )
