"""Routes of alerts: list, read, acknowledge, resolve; and the caller's inbox."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pmo_common.problems import not_found
from pmo_common.web.app_factory import SessionDep
from pmo_common.web.pagination import Page, PageDep, make_page

from pmo_notifications.api.access import (
    AnyRolePrincipal,
    actor_name,
    check_may_handle_alert,
    check_may_read_project,
)
from pmo_notifications.api.schemas import (
    AlertOut,
    AlertResolve,
    AlertStatusName,
    ReasonOut,
    ReferenceId,
    SeverityName,
)
from pmo_notifications.db.alert_repository import AlertRecord, get_alert, list_alerts
from pmo_notifications.db.project_repository import get_project
from pmo_notifications.domain.alert_lifecycle import ACTIVE_STATUSES
from pmo_notifications.handlers.alert_commands import (
    acknowledge_alert,
    load_alert_for_change,
    resolve_alert,
)

router = APIRouter(prefix="/v1", tags=["alerts"])


def alert_out(alert: AlertRecord) -> AlertOut:
    """The API view of an alert."""
    return AlertOut(
        id=alert.id,
        project_id=alert.project_id,
        project_name=alert.project_name,
        kind=alert.kind,
        severity=alert.severity,  # type: ignore[arg-type]  # stored values are validated
        status=alert.status,  # type: ignore[arg-type]
        title=alert.title,
        reasons=[ReasonOut.model_validate(reason) for reason in alert.reasons],
        rag=alert.rag,
        opened_at=alert.opened_at,
        acknowledged_at=alert.acknowledged_at,
        acknowledged_by=alert.acknowledged_by,
        resolved_at=alert.resolved_at,
        resolved_by=alert.resolved_by,
        resolution_note=alert.resolution_note,
        last_event_at=alert.last_event_at,
    )


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
    records = await list_alerts(
        session,
        led_by=principal.email,
        only_led=not principal.sees_everything,
        project_id=project_id,
        statuses=(status,) if status else None,
        severity=severity,
        limit=page.limit + 1,
        offset=page.offset,
    )
    return make_page([alert_out(record) for record in records], page)


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
    records = await list_alerts(
        session,
        led_by=principal.email,
        only_led=True,
        project_id=None,
        statuses=(status,) if status else ACTIVE_STATUSES,
        severity=None,
        limit=page.limit + 1,
        offset=page.offset,
    )
    return make_page([alert_out(record) for record in records], page)


@router.get("/alerts/{alert_id}", summary="Read one alert")
async def get_alert_route(
    alert_id: str, principal: AnyRolePrincipal, session: SessionDep
) -> AlertOut:
    """One alert, if the caller may see its project."""
    alert = await get_alert(session, alert_id=alert_id)
    if alert is None:
        raise not_found("alert", alert_id)
    check_may_read_project(principal, await get_project(session, project_id=alert.project_id))
    return alert_out(alert)


@router.post("/alerts/{alert_id}/acknowledge", summary="Acknowledge an alert (409 if resolved)")
async def acknowledge_alert_route(
    alert_id: str, principal: AnyRolePrincipal, session: SessionDep
) -> AlertOut:
    """Say someone is on it; acknowledging twice changes nothing."""
    async with session.begin():
        alert = await load_alert_for_change(session, alert_id=alert_id)
        check_may_handle_alert(principal, await get_project(session, project_id=alert.project_id))
        updated = await acknowledge_alert(session, alert=alert, actor=actor_name(principal))
    return alert_out(updated)


@router.post("/alerts/{alert_id}/resolve", summary="Resolve an alert, with an optional note")
async def resolve_alert_route(
    alert_id: str,
    principal: AnyRolePrincipal,
    session: SessionDep,
    body: AlertResolve | None = None,
) -> AlertOut:
    """Close the alert; resolving a resolved alert changes nothing."""
    async with session.begin():
        alert = await load_alert_for_change(session, alert_id=alert_id)
        check_may_handle_alert(principal, await get_project(session, project_id=alert.project_id))
        updated = await resolve_alert(
            session, alert=alert, actor=actor_name(principal), note=body.note if body else None
        )
    return alert_out(updated)
