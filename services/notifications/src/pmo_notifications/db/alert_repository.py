"""Reads and writes of alerts."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from pmo_common.db.rows import (
    fetch_all,
    fetch_by_id,
    fetch_one,
    fetch_page,
    matching,
    record_from,
    values_of,
)
from pmo_common.web.pagination import PageRequest
from sqlalchemy import RowMapping, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.base import Executable

from pmo_notifications.db.projection_repository import projects_in_portfolios, projects_led_by
from pmo_notifications.db.tables import ACTIVE_ALERT, alerts
from pmo_notifications.domain.alert_lifecycle import (
    ACTIVE_STATUSES,
    AlertRecord,
    AlertState,
    SeverityChange,
)
from pmo_notifications.domain.clock import in_utc
from pmo_notifications.domain.reason_line import ReasonLine


def _record(row: RowMapping) -> AlertRecord:
    reasons = tuple(ReasonLine(**reason) for reason in row["reasons"])
    changes = tuple(
        SeverityChange(datetime.fromisoformat(change["at"]), change["from"], change["to"])
        for change in row["severity_changes"] or ()
    )
    return record_from(AlertRecord, row, reasons=reasons, severity_changes=changes)


def _values(alert: AlertRecord) -> dict[str, Any]:
    # JSON wants lists; each reason is stored as the dict monitoring sent, each severity change
    # as {at, from, to} (the shape AlertOut lists).
    return values_of(
        alert,
        reasons=[values_of(reason) for reason in alert.reasons],
        severity_changes=[
            {"at": in_utc(change.at).isoformat(), "from": change.previous, "to": change.current}
            for change in alert.severity_changes
        ]
        or None,
    )


async def get_alert(
    session: AsyncSession, *, alert_id: str, for_update: bool = False
) -> AlertRecord | None:
    """The alert with this id (locked for the transaction when `for_update`)."""
    return await fetch_by_id(session, alerts, alert_id, _record, for_update=for_update)


async def find_alert(
    session: AsyncSession, *, project_id: str, deduplication_key: str, active_only: bool
) -> AlertRecord | None:
    """The newest alert of a project under a de-duplication key (active ones only if asked)."""
    query = select(alerts).where(
        alerts.c.project_id == project_id, alerts.c.deduplication_key == deduplication_key
    )
    if active_only:
        query = query.where(alerts.c.status.in_(ACTIVE_STATUSES))
    query = query.order_by(alerts.c.opened_at.desc()).limit(1).with_for_update()
    return await fetch_one(session, query, _record)


async def active_alerts_of_project(session: AsyncSession, *, project_id: str) -> list[AlertRecord]:
    """Every open or acknowledged alert of a project."""
    query = (
        select(alerts)
        .where(alerts.c.project_id == project_id, alerts.c.status.in_(ACTIVE_STATUSES))
        .with_for_update()
    )
    return await fetch_all(session, query, _record)


async def insert_alert_unless_active(session: AsyncSession, *, alert: AlertRecord) -> bool:
    """Store a new alert unless the project already has an active one under its key.

    One statement: the unique index on active alerts decides, so two replicas racing on the
    same signal open one alert. Returns whether this alert was stored.
    """
    statement = _insert_unless_active(session.get_bind().dialect.name)
    return (await session.execute(statement, _values(alert))).first() is not None


@cache
def _insert_unless_active(dialect_name: str) -> Executable:
    """The insert of `insert_alert_unless_active`, built once per dialect (values are bound at
    execution: no statement built, no cache key computed, per alert)."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    statement: Executable = (
        dialect.insert(alerts)
        .on_conflict_do_nothing(
            index_elements=[alerts.c.project_id, alerts.c.deduplication_key],
            index_where=text(ACTIVE_ALERT),
        )
        .returning(alerts.c.id)
    )
    return statement


# What a newer signal changes on an active alert: what it says and its severity. Its lifecycle
# (status, who acknowledged) is the people's, not the signal's.
_SIGNAL_FIELDS = ("project_name", "severity", "title", "reasons", "rag", "last_event_at")
# What a change of severity changes besides: its history, and the escalation ladder (a raise to
# critical starts it, a lowering stops it). Written only then, so a repeated signal never
# overwrites a step the ladder job took meanwhile.
_SEVERITY_FIELDS = (
    "severity_changes",
    "escalation_policy_id",
    "escalation_level",
    "escalation_repeats",
    "next_escalation_at",
)


async def save_alert_signal(
    session: AsyncSession, *, alert: AlertRecord, severity_changed: bool
) -> None:
    """Store what a newer signal changed on an active alert (read locked in this transaction)."""
    values = _values(alert)
    names = _SIGNAL_FIELDS + (_SEVERITY_FIELDS if severity_changed else ())
    await session.execute(
        update(alerts).where(alerts.c.id == alert.id).values({name: values[name] for name in names})
    )


async def save_alert_state(
    session: AsyncSession, *, alert_id: str, state: AlertState, last_event_at: datetime
) -> None:
    """Store an alert's lifecycle after a transition (acknowledged or resolved: it climbs its
    escalation ladder no further)."""
    await session.execute(
        update(alerts)
        .where(alerts.c.id == alert_id)
        .values(**values_of(state), last_event_at=last_event_at, next_escalation_at=None)
    )


async def list_alerts(
    session: AsyncSession,
    *,
    led_by: str | None,
    only_led: bool,
    page: PageRequest,
    project_id: str | None = None,
    statuses: tuple[str, ...] | None = None,
    severity: str | None = None,
    kind: str | None = None,
    or_in_portfolios: frozenset[str] = frozenset(),
) -> list[AlertRecord]:
    """A page of alerts, newest first; `only_led` keeps projects `led_by` manages or sponsors,
    and those of the portfolios in `or_in_portfolios` (the caller's memberships)."""
    query = matching(
        select(alerts),
        (alerts.c.project_id, project_id),
        (alerts.c.severity, severity),
        (alerts.c.kind, kind),
    )
    if only_led:
        led = alerts.c.project_id.in_(projects_led_by(led_by))
        member = alerts.c.project_id.in_(projects_in_portfolios(or_in_portfolios))
        query = query.where(or_(led, member) if or_in_portfolios else led)
    if statuses is not None:
        query = query.where(alerts.c.status.in_(statuses))
    query = query.order_by(alerts.c.opened_at.desc(), alerts.c.id)
    return await fetch_page(session, query, _record, page)
