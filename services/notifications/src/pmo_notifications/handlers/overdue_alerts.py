"""Alerts about something overdue: a status report, recovery actions.

A project has one open alert per kind (ARCHITECTURE, "Signals"), whose items are the things
overdue: its missed reporting periods (the count rises, the alert stays one), its overdue
actions (one reason each). Each item is remembered once per project, so a replayed or re-sent
signal adds nothing and reminds nobody twice. A status report newer than the one the overdue
signal knew of resolves the overdue-report alert.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date
from functools import partial

from pmo_common.events.payloads import ActionDone, ActionOverdue, ReportOverdue, StatusReported
from pmo_common.messaging.consumed_events import Consumed
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db.alert_item_repository import (
    claim_item,
    deactivate_items,
    first_period_of_alert,
    get_item,
    items_of_alert,
    save_item,
)
from pmo_notifications.db.alert_repository import find_alert
from pmo_notifications.db.projection_repository import get_project, record_latest_health
from pmo_notifications.domain.alert_emails import compose_overdue_email
from pmo_notifications.domain.alert_items import AlertItem, reasons_of
from pmo_notifications.domain.alert_lifecycle import AlertRecord
from pmo_notifications.domain.alert_rules import (
    ACTION_OVERDUE,
    REPORT_OVERDUE,
    action_overdue_key,
    deduplication_key,
    item_key,
    item_prefix,
    missed_periods,
    overdue_actions_title,
    report_overdue_title,
)
from pmo_notifications.domain.clock import utc_now
from pmo_notifications.domain.email_composition import EmailDraft
from pmo_notifications.domain.overdue_reasons import days_overdue_reason, report_overdue_reason
from pmo_notifications.domain.project_projection import LatestHealth, ProjectRecord
from pmo_notifications.domain.reason_line import ReasonLine
from pmo_notifications.handlers.alert_commands import (
    new_alert,
    open_alert_unless_active,
    resolve_active_alerts,
)
from pmo_notifications.handlers.alert_severity import update_active_alert
from pmo_notifications.handlers.notification_routing import Notifier
from pmo_notifications.handlers.signal_scope import (
    record_signal_project,
    routing_portfolio,
    signal_notifier,
)
from pmo_notifications.handlers.wordings import message_languages

# Something overdue is late, not yet harmful.
OVERDUE_SEVERITY = "warning"
ACTION_DONE_NOTE = "Every overdue recovery action was done"
log = logging.getLogger(__name__)


async def on_report_overdue(session: AsyncSession, event: Consumed[ReportOverdue]) -> None:
    """Open the project's overdue-report alert and remind the manager, or count a further
    missed period on the open one (no second reminder: the digest lists it)."""
    payload = event.payload
    project = (await record_signal_project(session, payload)).project
    if _report_came_since(project, payload):
        log.info(
            "project.report_overdue of %s is older than its latest status report",
            payload.project_id,
            extra={"event_id": event.id},
        )
        return
    item = _new_item(
        payload.project_id,
        item_key(REPORT_OVERDUE, payload.period),
        _overdue_reason(session, payload, missed=1),
        period=payload.period,
        # The last report this signal knew of: a report after it resolves the alert.
        as_of=payload.last_report_at,
    )
    if not await claim_item(session, item=item):
        return  # this period was already signalled: one alert, one reminder
    notifier = await signal_notifier(session, project, payload)
    open_alert = await _active_alert(session, payload.project_id, REPORT_OVERDUE)
    if open_alert is None:
        await _open_with_item(
            session,
            event,
            project,
            notifier,
            item,
            title=report_overdue_title(payload.project_name, payload.days_overdue),
            reminder=partial(compose_overdue_email, report=payload),
            remind=payload.manager,
        )
        return
    first = await first_period_of_alert(session, alert_id=open_alert.id)
    missed = missed_periods(first if first is not None else payload.period, payload.period)
    counted = replace(
        item, alert_id=open_alert.id, reason=_overdue_reason(session, payload, missed)
    )
    # The latest period speaks for the alert; the earlier ones are counted, not listed.
    await deactivate_items(
        session, project_id=payload.project_id, prefix=item_prefix(REPORT_OVERDUE)
    )
    await save_item(session, item=counted, exists=True)
    await update_active_alert(
        session,
        open_alert,
        notifier=notifier,
        portfolio_id=project.portfolio_id,
        project_name=payload.project_name,
        title=report_overdue_title(payload.project_name, payload.days_overdue, missed),
        reasons=reasons_of([counted]),
    )
    await _route(
        notifier,
        event,
        project,
        alert_id=open_alert.id,
        email=partial(compose_overdue_email, report=payload),
    )


async def on_status_reported(session: AsyncSession, event: Consumed[StatusReported]) -> None:
    """Keep the project's latest health and report date, and resolve its overdue-report alert
    when this report is newer than the last one the overdue signal knew of."""
    payload = event.payload
    health = None
    if payload.rag is not None:
        health = LatestHealth(
            rag=payload.rag,
            reasons=tuple(ReasonLine(**reason.model_dump()) for reason in payload.reasons),
            metrics=None if payload.metrics is None else payload.metrics.model_dump(mode="json"),
            as_of=payload.as_of,
            health_version=payload.health_version,
        )
    # First, so that on PostgreSQL this waits for an overdue signal being applied to the same
    # project (its upsert holds the project's row) and then sees the alert it opened.
    await record_latest_health(
        session, project_id=payload.project_id, health=health, report_as_of=payload.as_of
    )
    project = await get_project(session, project_id=payload.project_id)
    if project is None:
        return  # never signalled here, so no alert of it is open
    open_alert = await _active_alert(session, project.id, REPORT_OVERDUE)
    if open_alert is None:
        return
    items = await items_of_alert(session, alert_id=open_alert.id)
    knew = max((item.as_of for item in items if item.as_of is not None), default=None)
    if knew is not None and payload.as_of <= knew:
        return  # a report older than the one the overdue signal knew of: still overdue
    notifier = await Notifier.for_project(
        session, project_id=project.id, portfolio_ids=[project.portfolio_id]
    )
    await resolve_active_alerts(
        session,
        project,
        kind=REPORT_OVERDUE,
        note=f"A status report as of {payload.as_of.isoformat()} arrived",
        notifier=notifier,
    )
    await deactivate_items(session, project_id=project.id, prefix=item_prefix(REPORT_OVERDUE))
    await notifier.flush()


async def alert_once_overdue(
    session: AsyncSession,
    event: Consumed[ActionOverdue],
    *,
    kind: str,
    key: str,
    title: str,
    reason: dict[str, str],
    reminder: EmailDraft,
    remind: str,
) -> None:
    """Add an overdue item (`key`: an action) to the project's open alert of `kind`, or open
    one with it, and e-mail `reminder` to `remind` (who owes this item), unless the item was
    ever signalled before. `title` names the item; an alert of several is titled by count;
    `reason` says why in every language."""
    payload = event.payload
    project = (await record_signal_project(session, payload)).project
    item = _new_item(
        payload.project_id, key, days_overdue_reason(kind, payload.days_overdue, reason)
    )
    if not await claim_item(session, item=item):
        return  # this item was already signalled: one alert item, one reminder
    notifier = await signal_notifier(session, project, payload)
    open_alert = await _active_alert(session, payload.project_id, kind)
    if open_alert is None:
        await _open_with_item(
            session, event, project, notifier, item, title=title, reminder=reminder, remind=remind
        )
        return
    await save_item(session, item=replace(item, alert_id=open_alert.id), exists=True)
    items = await items_of_alert(session, alert_id=open_alert.id)
    reasons = reasons_of(items)
    await update_active_alert(
        session,
        open_alert,
        notifier=notifier,
        portfolio_id=project.portfolio_id,
        project_name=payload.project_name,
        title=title
        if len(reasons) == 1
        else overdue_actions_title(payload.project_name, len(reasons)),
        reasons=reasons,
    )
    await _route(notifier, event, project, alert_id=open_alert.id, email=reminder, to=[remind])


async def settle_done_action(session: AsyncSession, payload: ActionDone) -> None:
    """A recovery action was done: it leaves the project's overdue-action alert, which is
    resolved when no overdue action remains. Meant for the intervention.action_done handler."""
    key = action_overdue_key(payload.action_id)
    item = await get_item(session, project_id=payload.project_id, item_key=key, for_update=True)
    if item is None:
        # Done before its overdue signal was applied (two topics, no order between them): the
        # action is remembered as settled, so a late overdue signal claims nothing, opens no
        # alert and reminds nobody.
        settled = replace(_new_item(payload.project_id, key, reason=None), active=False)
        await claim_item(session, item=settled)
        return
    if not item.active:
        return  # already settled
    await save_item(session, item=replace(item, active=False), exists=True)
    project = await get_project(session, project_id=payload.project_id)
    open_alert = await _active_alert(session, payload.project_id, ACTION_OVERDUE)
    if project is None or open_alert is None or open_alert.id != item.alert_id:
        return
    notifier = await Notifier.for_project(
        session, project_id=project.id, portfolio_ids=[project.portfolio_id]
    )
    remaining = [
        each for each in await items_of_alert(session, alert_id=open_alert.id) if each.active
    ]
    if not remaining:
        await resolve_active_alerts(
            session, project, kind=ACTION_OVERDUE, note=ACTION_DONE_NOTE, notifier=notifier
        )
    else:
        reasons = reasons_of(remaining)
        await update_active_alert(
            session,
            open_alert,
            notifier=notifier,
            portfolio_id=project.portfolio_id,
            title=overdue_actions_title(project.name, len(reasons)),
            reasons=reasons,
        )
    await notifier.flush()


def _report_came_since(project: ProjectRecord, payload: ReportOverdue) -> bool:
    """Whether a status report newer than the last one the overdue signal knew of is known:
    the signal was sent before that report arrived, so nothing is overdue any more."""
    known = project.last_report_at
    return known is not None and (payload.last_report_at is None or known > payload.last_report_at)


def _overdue_reason(session: AsyncSession, payload: ReportOverdue, missed: int) -> ReasonLine:
    # Worded by notifications in every language.
    messages = message_languages(session).in_every_language(
        lambda wording: report_overdue_reason(
            wording,
            last_report_at=payload.last_report_at,
            due_date=payload.due_date,
            days_overdue=payload.days_overdue,
            missed=missed,
        )
    )
    return days_overdue_reason(REPORT_OVERDUE, payload.days_overdue, messages)


def _new_item(
    project_id: str,
    key: str,
    reason: ReasonLine | None,
    *,
    period: int | None = None,
    as_of: date | None = None,
) -> AlertItem:
    return AlertItem(
        project_id=project_id,
        item_key=key,
        alert_id=None,
        active=True,
        reason=reason,
        period=period,
        as_of=as_of,
        health_version=None,
        signalled_at=utc_now(),
    )


async def _active_alert(session: AsyncSession, project_id: str, kind: str) -> AlertRecord | None:
    return await find_alert(
        session, project_id=project_id, deduplication_key=deduplication_key(kind), active_only=True
    )


async def _open_with_item(
    session: AsyncSession,
    event: Consumed[ReportOverdue] | Consumed[ActionOverdue],
    project: ProjectRecord,
    notifier: Notifier,
    item: AlertItem,
    *,
    title: str,
    reminder: EmailDraft,
    remind: str,
) -> None:
    """Open the project's alert of the item's kind with this one item, and remind `remind`."""
    kind = item.item_key.split(":", 1)[0]
    alert = new_alert(
        event.payload,
        kind=kind,
        deduplication_key=deduplication_key(kind),
        severity=OVERDUE_SEVERITY,
        title=title,
        reasons=reasons_of([item]),
        rag=None,
    )
    if not await open_alert_unless_active(
        session, alert=alert, notifier=notifier, portfolio_id=project.portfolio_id
    ):
        # Another replica opened the project's alert at the same moment: the retry adds to it.
        raise RuntimeError(f"the {kind} alert of {project.id} opened meanwhile")
    # Items left active by an alert someone resolved by hand belong to no open alert any more.
    await deactivate_items(session, project_id=project.id, prefix=item_prefix(kind))
    await save_item(session, item=replace(item, alert_id=alert.id), exists=True)
    await _route(notifier, event, project, alert_id=alert.id, email=reminder, to=[remind])


async def _route(
    notifier: Notifier,
    event: Consumed[ReportOverdue] | Consumed[ActionOverdue],
    project: ProjectRecord,
    *,
    alert_id: str,
    email: EmailDraft,
    to: tuple[str, ...] | list[str] = (),
) -> None:
    await notifier.deliver(
        event.envelope,
        portfolio_id=routing_portfolio(project, event.payload),
        severity=OVERDUE_SEVERITY,
        alert_id=alert_id,
        email=email,
        to=to,
    )
