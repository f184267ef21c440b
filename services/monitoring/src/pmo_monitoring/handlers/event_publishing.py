"""How monitoring's use cases write events to the outbox, from a request or from a consumer."""

from __future__ import annotations

from typing import Protocol

from pmo_common.events.envelope import CloudEvent
from pmo_common.messaging.outbox import emit_event
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.config import MonitoringSettings
from pmo_monitoring.db.tables import messaging


class EventEmitter(Protocol):
    """Writes an event to the outbox in the caller's transaction (`ServiceRuntime.emit` is one)."""

    async def __call__(
        self, session: AsyncSession, event_type: str, payload: BaseModel, subject: str | None
    ) -> CloudEvent:
        """Record the event and return its envelope."""


async def emit_from_consumer(
    session: AsyncSession, event_type: str, payload: BaseModel, subject: str | None
) -> CloudEvent:
    """Record an event in the outbox from a consumed-event handler (which has no runtime)."""
    return await emit_event(
        session,
        messaging,
        service=MonitoringSettings.service_name,
        event_type=event_type,
        payload=payload,
        subject=subject,
    )
