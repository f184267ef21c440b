"""Writing notifications' own events to the outbox, keeping the envelope for routing."""

from __future__ import annotations

from pmo_common.events.envelope import CloudEvent
from pmo_common.messaging.outbox import emit_event
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.config import NotificationsSettings
from pmo_notifications.db.tables import messaging


async def publish_event(
    session: AsyncSession, event_type: str, payload: BaseModel, *, subject: str | None
) -> CloudEvent:
    """Record an event in the outbox in the caller's transaction and return its envelope.

    Like `ServiceRuntime.emit`, but usable from consumed-event handlers (which get no runtime);
    the envelope lets webhook subscribers of alert.* receive the very event Kafka carries.
    """
    return await emit_event(
        session,
        messaging,
        service=NotificationsSettings.service_name,
        event_type=event_type,
        payload=payload,
        subject=subject,
    )
