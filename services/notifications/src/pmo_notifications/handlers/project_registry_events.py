"""Intake's registry: keep the project projection, and forward its changes to subscribers."""

from __future__ import annotations

from pmo_common.events.payloads import (
    ProjectClosed,
    ProjectCreated,
    ProjectSnapshot,
    ProjectUpdated,
)
from pmo_common.messaging.consumed_events import Consumed
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db.projection_repository import apply_project_version, close_project
from pmo_notifications.domain.wording import N_
from pmo_notifications.handlers.alert_commands import resolve_active_alerts
from pmo_notifications.handlers.event_forwarding import forward_event
from pmo_notifications.handlers.notification_routing import Notifier
from pmo_notifications.handlers.project_facts import project_told_by

CLOSED_NOTE = "Project closed"


async def on_project_created(session: AsyncSession, event: Consumed[ProjectCreated]) -> None:
    """Keep a new project's name, manager, sponsor and portfolio, and announce it."""
    await _apply_snapshot(session, event, said=N_("Project {name} was registered"))


async def on_project_updated(session: AsyncSession, event: Consumed[ProjectUpdated]) -> None:
    """Keep a project's new baseline (older versions are ignored), and announce it."""
    await _apply_snapshot(session, event, said=N_("Project {name} was updated"))


async def on_project_closed(session: AsyncSession, event: Consumed[ProjectClosed]) -> None:
    """Mark the project closed and resolve its open alerts: nobody is to act on them any more."""
    payload = event.payload
    project = await close_project(
        session, project_id=payload.project_id, name=payload.name, version=payload.version
    )
    if project is None:
        return
    notifier = await Notifier.for_project(
        session, project_id=payload.project_id, portfolio_ids=[project.portfolio_id]
    )
    await resolve_active_alerts(session, project, kind=None, note=CLOSED_NOTE, notifier=notifier)
    await forward_event(
        session,
        event,
        portfolio_id=project.portfolio_id,
        summary=lambda wording: wording._("Project {name} was closed").format(name=payload.name),
        notifier=notifier,
    )


async def _apply_snapshot(
    session: AsyncSession, event: Consumed[ProjectSnapshot], *, said: str
) -> None:
    payload = event.payload
    if await apply_project_version(session, project=project_told_by(payload)):
        await forward_event(
            session,
            event,
            portfolio_id=payload.portfolio_id,
            summary=lambda wording: wording._(said).format(name=payload.name),
        )
