"""Turns one event into planned deliveries: the people it concerns and matching subscriptions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pmo_common.events.envelope import CloudEvent
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db.delivery_repository import PlannedDelivery, insert_planned_deliveries
from pmo_notifications.db.silence_repository import active_silence_windows
from pmo_notifications.db.subscription_repository import subscriptions_in_scope
from pmo_notifications.db.timestamps import utc_now
from pmo_notifications.domain.delivery_schedule import PENDING, SKIPPED
from pmo_notifications.domain.email_composition import ComposedEmail
from pmo_notifications.domain.silence_rules import covering_silence
from pmo_notifications.domain.subscription_matching import EventFacts, subscription_matches
from pmo_notifications.domain.webhook_signature import new_message_id
from pmo_notifications.handlers.delivery_signal import mark_deliveries_planned

SILENCED = "silenced"


@dataclass(frozen=True, slots=True)
class DirectEmail:
    """An e-mail owed to someone without any subscription (e.g. the project's manager)."""

    to: str
    email: ComposedEmail


@dataclass(frozen=True, slots=True)
class EventToRoute:
    """An event with what routing needs to know about it."""

    event: CloudEvent
    project_id: str | None
    portfolio_id: str | None
    severity: str
    alert_id: str | None
    subscriber_email: ComposedEmail


async def route_event(
    session: AsyncSession, route: EventToRoute, *, direct: Sequence[DirectEmail] = ()
) -> list[PlannedDelivery]:
    """Plan the deliveries of one event in the caller's transaction; returns what was planned.

    A silence covering the project still records each delivery, as skipped, so the log shows
    who would have been told.
    """
    now = utc_now()
    silence = covering_silence(
        await active_silence_windows(session, at=now),
        project_id=route.project_id,
        portfolio_id=route.portfolio_id,
        at=now,
    )
    planned: list[PlannedDelivery] = []
    seen: set[tuple[str, str]] = set()

    def plan(
        channel: str, target: str, subscription_id: str | None, email: ComposedEmail | None
    ) -> None:
        # One event reaches one address once, even if it is both the manager and a subscriber.
        key = (channel, target.lower() if channel == "email" else target)
        if key in seen:
            return
        seen.add(key)
        planned.append(
            PlannedDelivery(
                event_id=route.event.id,
                event_type=route.event.type,
                alert_id=route.alert_id,
                project_id=route.project_id,
                subscription_id=subscription_id,
                channel=channel,
                target=target,
                subject=email.subject if email else None,
                payload=email.body if email else route.event.to_bytes().decode(),
                status=SKIPPED if silence else PENDING,
                error=SILENCED if silence else None,
            )
        )

    for owed in direct:
        if owed.to:
            plan("email", owed.to, None, owed.email)
    facts = EventFacts(
        event_type=route.event.type,
        project_id=route.project_id,
        portfolio_id=route.portfolio_id,
        severity=route.severity,
    )
    candidates = await subscriptions_in_scope(
        session, project_id=route.project_id, portfolio_id=route.portfolio_id
    )
    for subscription in candidates:
        if subscription_matches(subscription.rule, facts):
            email = route.subscriber_email if subscription.channel == "email" else None
            plan(subscription.channel, subscription.target, subscription.id, email)
    await insert_planned_deliveries(
        session, planned=planned, message_ids=[new_message_id() for _ in planned], at=now
    )
    if any(item.status == PENDING for item in planned):
        mark_deliveries_planned(session)
    return planned
