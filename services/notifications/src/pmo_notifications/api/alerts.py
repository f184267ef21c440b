"""Routes of alerts: list, read, acknowledge, resolve; and the caller's inbox."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pmo_common.auth.principal import Principal
from pmo_common.web.app_factory import SessionDep
from pmo_common.web.pagination import Page, PageDep, PageRequest, make_page
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.api.access import (
    AnyRolePrincipal,
    actor_name,
    ensure_can_handle_alert,
    ensure_can_read_alert,
)
from pmo_notifications.api.schemas import (
    AlertOut,
    AlertResolve,
    AlertStatusName,
    ReasonOut,
    ReferenceId,
    SeverityName,
)
from pmo_notifications.domain.alert_lifecycle import ACTIVE_STATUSES, AlertRecord
from pmo_notifications.handlers import alert_commands, alert_queries

router = APIRouter(prefix="/v1", tags=["alerts"])


def alert_out(alert: AlertRecord) -> AlertOut:
    """The API view of an alert."""
    return AlertOut(
        id=alert.id,
        project_id=alert.project_id,
        project_name=alert.project_name,
        kind=alert.kind,
        severity=alert.severity,
        status=alert.status,
        title=alert.title,
        reasons=[
            ReasonOut.model_validate(reason, from_attributes=True) for reason in alert.reasons
        ],
        rag=alert.rag,
        opened_at=alert.opened_at,
        acknowledged_at=alert.acknowledged_at,
        acknowledged_by=alert.acknowledged_by,
        resolved_at=alert.resolved_at,
        resolved_by=alert.resolved_by,
        resolution_note=alert.resolution_note,
        last_event_at=alert.last_event_at,
    )


async def _alert_page(
    session: AsyncSession,
    principal: Principal,
    page: PageRequest,
    *,
    only_led: bool,
    project_id: str | None,
    statuses: tuple[str, ...] | None,
    severity: str | None,
) -> Page[AlertOut]:
    records = await alert_queries.list_alerts(
        session,
        led_by=principal.email,
        only_led=only_led,
        project_id=project_id,
        statuses=statuses,
        severity=severity,
        limit=page.limit + 1,
        offset=page.offset,
    )
    return make_page([alert_out(record) for record in records], page)


@router.get("/alerts", summary="List alerts (a project manager sees their projects' only)")
async def list_alerts_route(
    principal: AnyRolePrincipal,
    session: SessionDep,
    page: PageDep,
    project_id: Annotated[ReferenceId | None, Query()] = None,
    status: AlertStatusName | None = None,
    severity: SeverityName | None = None,
) -> Page[AlertOut]:
    """A page of alerts, newest first, filtered by project, status and severity."""
    return await _alert_page(
        session,
        principal,
        page,
        only_led=not principal.sees_everything,
        project_id=project_id,
        statuses=(status,) if status else None,
        severity=severity,
    )


@router.get("/inbox", summary="The caller's alerts: those of projects they manage or sponsor")
async def inbox_route(
    principal: AnyRolePrincipal,
    session: SessionDep,
    page: PageDep,
    status: AlertStatusName | None = Query(
        default=None, description="Defaults to open and acknowledged alerts"
    ),
) -> Page[AlertOut]:
    """The in-app inbox: alerts asking the caller for attention, newest first."""
    return await _alert_page(
        session,
        principal,
        page,
        only_led=True,
        project_id=None,
        statuses=(status,) if status else ACTIVE_STATUSES,
        severity=None,
    )


@router.get("/alerts/{alert_id}", summary="Read one alert")
async def get_alert_route(
    alert_id: str, principal: AnyRolePrincipal, session: SessionDep
) -> AlertOut:
    """One alert, if the caller may see its project."""
    alert, project = await alert_queries.alert_and_project(session, alert_id=alert_id)
    ensure_can_read_alert(principal, project)
    return alert_out(alert)


@router.post("/alerts/{alert_id}/acknowledge", summary="Acknowledge an alert (409 if resolved)")
async def acknowledge_alert_route(
    alert_id: str, principal: AnyRolePrincipal, session: SessionDep
) -> AlertOut:
    """Say someone is on it; acknowledging twice changes nothing."""
    _alert, project = await alert_queries.alert_and_project(session, alert_id=alert_id)
    ensure_can_handle_alert(principal, project)
    updated = await alert_commands.acknowledge_alert(
        session, alert_id=alert_id, actor=actor_name(principal)
    )
    return alert_out(updated)


@router.post("/alerts/{alert_id}/resolve", summary="Resolve an alert, with an optional note")
async def resolve_alert_route(
    alert_id: str,
    principal: AnyRolePrincipal,
    session: SessionDep,
    body: AlertResolve | None = None,
) -> AlertOut:
    """Close the alert; resolving a resolved alert changes nothing."""
    _alert, project = await alert_queries.alert_and_project(session, alert_id=alert_id)
    ensure_can_handle_alert(principal, project)
    updated = await alert_commands.resolve_alert(
        session, alert_id=alert_id, actor=actor_name(principal), note=body.note if body else None
    )
    return alert_out(updated)
