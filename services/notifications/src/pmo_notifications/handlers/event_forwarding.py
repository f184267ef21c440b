"""Forwarding a consumed event to its subscribers, with an e-mail listing its fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pmo_common.events.payloads import GateDecided, ProjectClosed, ProjectSnapshot, RequestEvent
from pmo_common.messaging.consumed_events import Consumed
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.domain.alert_emails import compose_event_email
from pmo_notifications.domain.subscription_matching import routing_severity
from pmo_notifications.domain.wording import Wording
from pmo_notifications.handlers.notification_routing import EventToRoute, Notifier

# The events passed on to subscribers as they are; each is about one project (a request may
# name none yet).
ForwardedPayload = ProjectSnapshot | ProjectClosed | RequestEvent | GateDecided


async def forward_event(
    session: AsyncSession,
    event: Consumed[ForwardedPayload],
    *,
    portfolio_id: str | None,
    summary: Callable[[Wording], str],
    severity: str | None = None,
    notifier: Notifier | None = None,
) -> None:
    """Plan and record the event's deliveries (through `notifier` when the caller has one);
    `summary` says in one line what happened, in a reader's language."""
    envelope = event.envelope
    details: dict[str, Any] = {
        name: value
        for name, value in envelope.data.items()
        if isinstance(value, str | int | float | bool)
    }
    if notifier is None:
        notifier = await Notifier.for_project(
            session, project_id=event.payload.project_id, portfolio_ids=[portfolio_id]
        )
    notifier.route(
        EventToRoute(
            event=envelope,
            portfolio_id=portfolio_id,
            severity=routing_severity(envelope.type, severity),
            alert_id=None,
            subscriber_email=lambda wording: compose_event_email(
                wording, event_type=envelope.type, summary=summary(wording), details=details
            ),
        )
    )
    await notifier.flush()
