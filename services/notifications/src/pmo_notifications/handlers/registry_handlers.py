"""Handlers keeping the project projection, and forwarding registry and gate events."""

from __future__ import annotations

from typing import Any

from pmo_common.events.envelope import CloudEvent
from pmo_common.events.payloads import (
    GateDecided,
    ProjectClosed,
    ProjectCreated,
    ProjectUpdated,
    RequestEvent,
)
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db.project_repository import (
    apply_project_version,
    close_project,
    get_project,
)
from pmo_notifications.domain.email_composition import compose_event_email
from pmo_notifications.domain.subscription_matching import routing_severity
from pmo_notifications.handlers.alert_commands import resolve_active_alerts
from pmo_notifications.handlers.notification_routing import EventToRoute, route_event

CLOSED_NOTE = "Project closed"
_REQUEST_VERBS = {
    "intake.request.submitted": "was submitted",
    "intake.request.approved": "was approved",
    "intake.request.rejected": "was rejected",
}


async def on_project_registered(session: AsyncSession, event: CloudEvent) -> None:
    """Keep a project's name, manager, sponsor and portfolio (older versions are ignored)."""
    model = ProjectCreated if event.type == "project.created" else ProjectUpdated
    payload = model.model_validate(event.data)
    applied = await apply_project_version(
        session,
        project_id=payload.project_id,
        name=payload.name,
        manager=payload.manager,
        sponsor=payload.sponsor,
        portfolio_id=payload.portfolio_id,
        status=payload.status,
        version=payload.version,
    )
    if applied:
        verb = "was registered" if event.type == "project.created" else "was updated"
        await _forward(
            session,
            event,
            project_id=payload.project_id,
            portfolio_id=payload.portfolio_id,
            summary=f"Project {payload.name} {verb}",
        )


async def on_project_closed(session: AsyncSession, event: CloudEvent) -> None:
    """Mark the project closed and resolve its open alerts: nobody is to act on them any more."""
    payload = ProjectClosed.model_validate(event.data)
    if not await close_project(
        session, project_id=payload.project_id, name=payload.name, version=payload.version
    ):
        return
    await resolve_active_alerts(session, project_id=payload.project_id, kind=None, note=CLOSED_NOTE)
    project = await get_project(session, project_id=payload.project_id)
    await _forward(
        session,
        event,
        project_id=payload.project_id,
        portfolio_id=project.portfolio_id if project else None,
        summary=f"Project {payload.name} was closed",
    )


async def on_gate_decided(session: AsyncSession, event: CloudEvent) -> None:
    """Forward a gate decision to its subscribers (a rejection counts as a warning)."""
    payload = GateDecided.model_validate(event.data)
    project = await get_project(session, project_id=payload.project_id)
    name = project.name if project else payload.project_id
    await _forward(
        session,
        event,
        project_id=payload.project_id,
        portfolio_id=project.portfolio_id if project else None,
        summary=f"Gate {payload.gate} of project {name} was {payload.decision}",
        severity="warning" if payload.decision == "rejected" else None,
    )


async def on_request_event(session: AsyncSession, event: CloudEvent) -> None:
    """Forward a project request's change of state to its subscribers."""
    payload = RequestEvent.model_validate(event.data)
    verb = _REQUEST_VERBS.get(event.type, f"is now {payload.status}")
    await _forward(
        session,
        event,
        project_id=payload.project_id,
        portfolio_id=payload.portfolio_id,
        summary=f"Project request '{payload.title}' {verb}",
    )


async def _forward(
    session: AsyncSession,
    event: CloudEvent,
    *,
    project_id: str | None,
    portfolio_id: str | None,
    summary: str,
    severity: str | None = None,
) -> None:
    details: dict[str, Any] = {
        name: value
        for name, value in event.data.items()
        if isinstance(value, str | int | float | bool)
    }
    await route_event(
        session,
        EventToRoute(
            event=event,
            project_id=project_id,
            portfolio_id=portfolio_id,
            severity=routing_severity(event.type, severity),
            alert_id=None,
            subscriber_email=compose_event_email(
                event_type=event.type, summary=summary, details=details
            ),
        ),
    )
