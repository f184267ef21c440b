"""Intake's project requests: each change of state forwarded to subscribers."""

from __future__ import annotations

from pmo_common.events.payloads import RequestEvent
from pmo_common.messaging.consumed_events import Consumed
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.domain.wording import N_
from pmo_notifications.handlers.event_forwarding import forward_event


async def on_request_submitted(session: AsyncSession, event: Consumed[RequestEvent]) -> None:
    """Tell subscribers a project request was submitted."""
    await _forward_request(session, event, said=N_('Project request "{title}" was submitted'))


async def on_request_approved(session: AsyncSession, event: Consumed[RequestEvent]) -> None:
    """Tell subscribers a project request was approved."""
    await _forward_request(session, event, said=N_('Project request "{title}" was approved'))


async def on_request_rejected(session: AsyncSession, event: Consumed[RequestEvent]) -> None:
    """Tell subscribers a project request was rejected."""
    await _forward_request(session, event, said=N_('Project request "{title}" was rejected'))


async def _forward_request(
    session: AsyncSession, event: Consumed[RequestEvent], *, said: str
) -> None:
    payload = event.payload
    await forward_event(
        session,
        event,
        portfolio_id=payload.portfolio_id,
        summary=lambda wording: wording._(said).format(title=payload.title),
    )
