"""Routes of alerts: list, read, acknowledge, resolve; and the caller's inbox."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from pmo_common.auth.principal import Principal
from pmo_common.portfolios.scope import ScopedPrincipal
from pmo_common.web.app_factory import SessionDep
from pmo_common.web.conditional import IfMatch, tag_response
from pmo_common.web.pagination import Page, PageDep
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.api.access import (
    AnyRolePrincipal,
    actor_name,
    alert_portfolios_filter,
    ensure_can_handle_alert,
    ensure_can_read_alert,
    reads_every_alert,
)
from pmo_notifications.api.preconditions import stale_tag_responses, still_as_read
from pmo_notifications.api.schemas import (
    AlertKindName,
    AlertOut,
    AlertResolve,
    AlertStatusName,
    ReferenceId,
    SeverityName,
)
from pmo_notifications.domain.alert_lifecycle import ACTIVE_STATUSES, AlertRecord
from pmo_notifications.domain.project_projection import ProjectRecord
from pmo_notifications.handlers import alert_commands, alert_queries

router = APIRouter(prefix="/v1", tags=["alerts"])


def _alert_checked_by(
    ensure_allowed: Callable[[Principal, ProjectRecord | None], None],
) -> Callable[[str, ScopedPrincipal, AsyncSession], Awaitable[AlertRecord]]:
    """Read the route's alert: 404 when there is none, 403 unless `ensure_allowed` lets the
    caller at it; the access checks are made against the alert's project, read along with it."""

    async def checked_alert(
        alert_id: str, principal: AnyRolePrincipal, session: SessionDep
    ) -> AlertRecord:
        alert, project = await alert_queries.alert_and_project(session, alert_id=alert_id)
        ensure_allowed(principal, project)
        return alert

    return checked_alert


_readable_alert = _alert_checked_by(ensure_can_read_alert)
_handleable_alert = _alert_checked_by(ensure_can_handle_alert)
ReadableAlert = Annotated[AlertRecord, Depends(_readable_alert)]
HandleableAlert = Annotated[AlertRecord, Depends(_handleable_alert)]


@router.get("/alerts", summary="List alerts (a project manager sees their projects' only)")
async def list_alerts_route(
    principal: AnyRolePrincipal,
    session: SessionDep,
    page: PageDep,
    project_id: Annotated[ReferenceId | None, Query()] = None,
    status: AlertStatusName | None = None,
    severity: SeverityName | None = None,
    kind: AlertKindName | None = None,
) -> Page[AlertOut]:
    """A page of alerts, newest first, filtered by project, status, severity and kind."""
    records = await alert_queries.list_alerts(
        session,
        led_by=principal.email,
        only_led=not reads_every_alert(principal),
        or_in_portfolios=alert_portfolios_filter(principal),
        project_id=project_id,
        statuses=(status,) if status else None,
        severity=severity,
        kind=kind,
        page=page,
    )
    return AlertOut.page_of(records, page)


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
    records = await alert_queries.list_alerts(
        session,
        led_by=principal.email,
        only_led=True,
        statuses=(status,) if status else ACTIVE_STATUSES,
        page=page,
    )
    return AlertOut.page_of(records, page)


@router.get("/alerts/{alert_id}", summary="Read one alert")
async def get_alert_route(alert: ReadableAlert, response: Response) -> AlertOut:
    """One alert, if the caller may see its project, with its ETag (the If-Match of
    acknowledging or resolving it)."""
    return _shown(alert, response)


def _shown(alert: AlertRecord, response: Response) -> AlertOut:
    """The alert as the API shows it, its ETag set on the answer."""
    shown = AlertOut.model_validate(alert)
    tag_response(response, shown)
    return shown


_STALE = stale_tag_responses("alert")


@router.post(
    "/alerts/{alert_id}/acknowledge",
    summary="Acknowledge an alert (409 if resolved)",
    responses=_STALE,
)
async def acknowledge_alert_route(
    alert: HandleableAlert,
    principal: AnyRolePrincipal,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> AlertOut:
    """Say someone is on it; acknowledging twice changes nothing. With If-Match, only while the
    alert is as the caller read it (412 otherwise)."""
    updated = await alert_commands.acknowledge_alert(
        session,
        alert_id=alert.id,
        actor=actor_name(principal),
        check=still_as_read(if_match, AlertOut.model_validate),
    )
    return _shown(updated, response)


@router.post(
    "/alerts/{alert_id}/resolve",
    summary="Resolve an alert, with an optional note",
    responses=_STALE,
)
async def resolve_alert_route(
    alert_id: str,
    principal: AnyRolePrincipal,
    session: SessionDep,
    response: Response,
    body: AlertResolve | None = None,
    if_match: IfMatch = None,
) -> AlertOut:
    """Close the alert; resolving a resolved alert changes nothing. With If-Match, only while
    the alert is as the caller read it (412 otherwise)."""
    # Checked here rather than as a dependency, which would run first: a malformed note answers
    # 422 before the alert is looked up, as on every route with a body.
    await _handleable_alert(alert_id, principal, session)
    updated = await alert_commands.resolve_alert(
        session,
        alert_id=alert_id,
        actor=actor_name(principal),
        note=body.note if body else None,
        check=still_as_read(if_match, AlertOut.model_validate),
    )
    return _shown(updated, response)
