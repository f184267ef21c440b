"""Reads and writes of alerts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db.project_repository import projects_led_by
from pmo_notifications.db.tables import alerts
from pmo_notifications.db.timestamps import as_utc, as_utc_or_none
from pmo_notifications.domain.alert_lifecycle import ACTIVE_STATUSES, AlertState


@dataclass(frozen=True, slots=True)
class AlertRecord:
    """An alert as stored."""

    id: str
    project_id: str
    project_name: str
    kind: str
    deduplication_key: str
    severity: str
    status: str
    title: str
    reasons: list[dict[str, Any]]
    rag: str | None
    opened_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    resolution_note: str | None
    last_event_at: datetime

    @property
    def state(self) -> AlertState:
        """The lifecycle part of the alert."""
        return AlertState(
            status=self.status,
            acknowledged_at=self.acknowledged_at,
            acknowledged_by=self.acknowledged_by,
            resolved_at=self.resolved_at,
            resolved_by=self.resolved_by,
            resolution_note=self.resolution_note,
        )


def _record(row: Row[Any]) -> AlertRecord:
    return AlertRecord(
        id=row.id,
        project_id=row.project_id,
        project_name=row.project_name,
        kind=row.kind,
        deduplication_key=row.deduplication_key,
        severity=row.severity,
        status=row.status,
        title=row.title,
        reasons=list(row.reasons),
        rag=row.rag,
        opened_at=as_utc(row.opened_at),
        acknowledged_at=as_utc_or_none(row.acknowledged_at),
        acknowledged_by=row.acknowledged_by,
        resolved_at=as_utc_or_none(row.resolved_at),
        resolved_by=row.resolved_by,
        resolution_note=row.resolution_note,
        last_event_at=as_utc(row.last_event_at),
    )


async def get_alert(
    session: AsyncSession, *, alert_id: str, for_update: bool = False
) -> AlertRecord | None:
    """The alert with this id (locked for the transaction when `for_update`)."""
    query = select(alerts).where(alerts.c.id == alert_id)
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).first()
    return None if row is None else _record(row)


async def find_alert(
    session: AsyncSession, *, project_id: str, deduplication_key: str, active_only: bool
) -> AlertRecord | None:
    """The newest alert of a project under a de-duplication key (active ones only if asked)."""
    query = select(alerts).where(
        alerts.c.project_id == project_id, alerts.c.deduplication_key == deduplication_key
    )
    if active_only:
        query = query.where(alerts.c.status.in_(ACTIVE_STATUSES))
    row = (
        await session.execute(query.order_by(alerts.c.opened_at.desc()).limit(1).with_for_update())
    ).first()
    return None if row is None else _record(row)


async def active_alerts_of_project(session: AsyncSession, *, project_id: str) -> list[AlertRecord]:
    """Every open or acknowledged alert of a project."""
    rows = await session.execute(
        select(alerts)
        .where(alerts.c.project_id == project_id, alerts.c.status.in_(ACTIVE_STATUSES))
        .with_for_update()
    )
    return [_record(row) for row in rows]


async def insert_alert(session: AsyncSession, *, alert: AlertRecord) -> None:
    """Store a new alert."""
    await session.execute(
        insert(alerts).values(
            id=alert.id,
            project_id=alert.project_id,
            project_name=alert.project_name,
            kind=alert.kind,
            deduplication_key=alert.deduplication_key,
            severity=alert.severity,
            status=alert.status,
            title=alert.title,
            reasons=alert.reasons,
            rag=alert.rag,
            opened_at=alert.opened_at,
            acknowledged_at=alert.acknowledged_at,
            acknowledged_by=alert.acknowledged_by,
            resolved_at=alert.resolved_at,
            resolved_by=alert.resolved_by,
            resolution_note=alert.resolution_note,
            last_event_at=alert.last_event_at,
        )
    )


async def refresh_alert_signal(
    session: AsyncSession,
    *,
    alert_id: str,
    project_name: str,
    severity: str,
    title: str,
    reasons: list[dict[str, Any]],
    rag: str | None,
    last_event_at: datetime,
) -> None:
    """Update an active alert with a repeated signal's reasons, severity and time."""
    await session.execute(
        update(alerts)
        .where(alerts.c.id == alert_id)
        .values(
            project_name=project_name,
            severity=severity,
            title=title,
            reasons=reasons,
            rag=rag,
            last_event_at=last_event_at,
        )
    )


async def save_alert_state(
    session: AsyncSession, *, alert_id: str, state: AlertState, last_event_at: datetime
) -> None:
    """Store an alert's lifecycle after a transition."""
    await session.execute(
        update(alerts)
        .where(alerts.c.id == alert_id)
        .values(
            status=state.status,
            acknowledged_at=state.acknowledged_at,
            acknowledged_by=state.acknowledged_by,
            resolved_at=state.resolved_at,
            resolved_by=state.resolved_by,
            resolution_note=state.resolution_note,
            last_event_at=last_event_at,
        )
    )


async def list_alerts(
    session: AsyncSession,
    *,
    led_by: str | None,
    only_led: bool,
    project_id: str | None,
    statuses: tuple[str, ...] | None,
    severity: str | None,
    limit: int,
    offset: int,
) -> list[AlertRecord]:
    """A page of alerts, newest first; `only_led` keeps projects `led_by` manages or sponsors."""
    query = select(alerts)
    if only_led:
        query = query.where(alerts.c.project_id.in_(projects_led_by(led_by)))
    if project_id is not None:
        query = query.where(alerts.c.project_id == project_id)
    if statuses is not None:
        query = query.where(alerts.c.status.in_(statuses))
    if severity is not None:
        query = query.where(alerts.c.severity == severity)
    query = query.order_by(alerts.c.opened_at.desc(), alerts.c.id).limit(limit).offset(offset)
    return [_record(row) for row in await session.execute(query)]
