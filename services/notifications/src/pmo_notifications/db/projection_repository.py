"""The projection of intake's project registry: names, managers, sponsors and portfolios."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cache
from typing import Any

from pmo_common.db.rows import (
    as_utc,
    fetch_all,
    fetch_by_id,
    insert_or_replace,
    record_from,
    values_of,
)
from sqlalchemy import (
    ColumnElement,
    RowMapping,
    Select,
    Tuple,
    and_,
    case,
    func,
    insert,
    literal,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.base import Executable, ReadOnlyColumnCollection

from pmo_notifications.db.tables import health_changes, projects
from pmo_notifications.domain.clock import utc_now
from pmo_notifications.domain.project_projection import (
    CLOSED,
    HEALTH_FIELDS,
    HealthChange,
    HealthSignalStamp,
    LatestHealth,
    ProjectRecord,
    normalised_email,
)
from pmo_notifications.domain.reason_line import ReasonLine


def project_record(row: RowMapping) -> ProjectRecord:
    """The record of a `projects` row (its reasons stored as JSON objects)."""
    reasons = tuple(ReasonLine(**reason) for reason in row["reasons"] or ())
    return record_from(ProjectRecord, row, reasons=reasons)


async def get_project(session: AsyncSession, *, project_id: str) -> ProjectRecord | None:
    """The known project with this id, if any."""
    return await fetch_by_id(session, projects, project_id, project_record)


async def list_projects(
    session: AsyncSession,
    *,
    led_by: str | None = None,
    portfolio_ids: Collection[str] | None = None,
    project_ids: Collection[str] | None = None,
    include_closed: bool = False,
) -> list[ProjectRecord]:
    """The known projects, by name: those `led_by` manages or sponsors, in `portfolio_ids`,
    among `project_ids` (each filter only when given), closed ones only if asked."""
    query = select(projects)
    if led_by is not None:
        query = query.where(projects.c.id.in_(projects_led_by(led_by)))
    if portfolio_ids is not None:
        query = query.where(projects.c.portfolio_id.in_(list(portfolio_ids)))
    if project_ids is not None:
        query = query.where(projects.c.id.in_(list(project_ids)))
    if not include_closed:
        query = query.where(projects.c.status != CLOSED)
    return await fetch_all(session, query.order_by(projects.c.name, projects.c.id), project_record)


def _stored_values(project: ProjectRecord) -> dict[str, Any]:
    # E-mails are compared lower-cased, so they are stored that way. The health fields are
    # monitoring's: intake's versions never overwrite them.
    values = values_of(
        project,
        manager=normalised_email(project.manager),
        sponsor=normalised_email(project.sponsor),
        updated_at=utc_now(),
    )
    return {name: value for name, value in values.items() if name not in HEALTH_FIELDS}


async def apply_project_version(session: AsyncSession, *, project: ProjectRecord) -> bool:
    """Store a project's state unless a newer (or the same) version is already known."""
    known = await get_project(session, project_id=project.id)
    if known is not None and known.version >= project.version:
        return False
    await insert_or_replace(
        session,
        projects,
        _stored_values(project),
        row=projects.c.id == project.id,
        exists=known is not None,
    )
    return True


@dataclass(frozen=True, slots=True)
class SignalledProject:
    """The project a signal is about, and whether the signal is the newest one seen for it."""

    project: ProjectRecord
    newest: bool


async def record_signalled_project(
    session: AsyncSession, *, project: ProjectRecord, signal: HealthSignalStamp | None = None
) -> SignalledProject:
    """The known project; one first heard of through monitoring is recorded as `project`.

    With `signal` (an at-risk or recovered signal's stamp), the projection keeps the stamp of the
    newest such signal, and the answer says whether this one is it: the two events travel on
    different topics and may be replayed, so an older one may arrive after a newer one and must
    then change nothing. One statement either way (an upsert returning the row), so a signal
    reads and, when needed, writes the projection once; intake's versions win later.
    """
    offered = (
        {}
        if signal is None
        else {
            "health_as_of": signal.as_of,
            "health_version": signal.version,
            "health_signal_at": as_utc(signal.sent_at),
        }
    )
    statement = _upsert_of(session.get_bind().dialect.name, signalled=signal is not None)
    rows = await session.execute(statement, {**_stored_values(project), **offered})
    row = rows.mappings().one()
    newest = signal is None or (
        row["health_as_of"] == signal.as_of
        and row["health_version"] == signal.version
        and row["health_signal_at"] is not None
        and as_utc(row["health_signal_at"]) == as_utc(signal.sent_at)
    )
    return SignalledProject(project_record(row), newest)


# The health-signal columns an at-risk or recovered signal offers.
_SIGNAL_COLUMNS = ("health_as_of", "health_version", "health_signal_at")


@cache
def _upsert_of(dialect_name: str, *, signalled: bool) -> Executable:
    """The upsert of `record_signalled_project`, built once per dialect and kind: its values
    are bound at execution, so no statement is built, and no cache key computed, per event."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    statement = dialect.insert(projects)
    if not signalled:
        kept: dict[str, Any] = {"version": projects.c.version}
    else:
        newer = _not_older(statement.excluded)
        kept = {
            name: case((newer, statement.excluded[name]), else_=projects.c[name])
            for name in _SIGNAL_COLUMNS
        }
    upsert: Executable = statement.on_conflict_do_update(
        index_elements=[projects.c.id], set_=kept
    ).returning(*projects.c)
    return upsert


def _not_older(offered: ReadOnlyColumnCollection[str, Any]) -> ColumnElement[bool]:
    """SQL: the offered signal is not older than the stored one, as HealthSignalStamp orders
    them (a missing version counting as 0, below every real one)."""
    stored = projects.c

    def stamp(columns: ReadOnlyColumnCollection[str, Any]) -> Tuple:
        return tuple_(
            columns.health_as_of,
            func.coalesce(columns.health_version, 0),
            columns.health_signal_at,
        )

    return or_(
        stored.health_signal_at.is_(None),
        # Kept before report dates and versions were (migration 0004): the sent times decide.
        and_(stored.health_as_of.is_(None), offered.health_signal_at >= stored.health_signal_at),
        stamp(offered) >= stamp(stored),
    )


async def close_project(
    session: AsyncSession, *, project_id: str, name: str, version: int
) -> ProjectRecord | None:
    """The project marked closed; None when a newer (or the same) version is already known."""
    known = await get_project(session, project_id=project_id)
    if known is not None and known.version >= version:
        return None
    at = utc_now()
    if known is None:
        # Closed before we heard of it: remember it so later stragglers find it closed.
        closed = ProjectRecord(
            id=project_id,
            name=name,
            manager="",
            sponsor=None,
            portfolio_id=None,
            status=CLOSED,
            version=version,
        )
        await session.execute(insert(projects).values(**_stored_values(closed)))
        return closed
    await session.execute(
        update(projects)
        .where(projects.c.id == project_id)
        .values(name=name, status=CLOSED, version=version, updated_at=at)
    )
    return replace(known, name=name, status=CLOSED, version=version)


def projects_led_by(email: str | None) -> Select[tuple[str]]:
    """A subquery of the ids of projects the e-mail manages or sponsors."""
    address = normalised_email(email) or "\x00no-email"
    return select(projects.c.id).where(
        or_(projects.c.manager == address, projects.c.sponsor == address)
    )


def projects_in_portfolios(portfolio_ids: frozenset[str]) -> Select[tuple[str]]:
    """A subquery of the ids of projects in any of the portfolios."""
    return select(projects.c.id).where(projects.c.portfolio_id.in_(sorted(portfolio_ids)))


async def record_latest_health(
    session: AsyncSession,
    *,
    project_id: str,
    health: LatestHealth | None,
    report_as_of: date | None = None,
) -> bool:
    """Keep a known project's latest health and newest report date (an unknown project is left
    for intake's project.created: these events do not say who leads it); whether `health` is
    the latest known (True also for an unknown project, or without `health`).

    The health is kept unless the stored one is newer by (as_of, health_version), a missing
    version counting as 0; an equal stamp is the same assessment told by another event, so
    writing it again changes nothing. One statement, whatever arrives first.
    """
    values: dict[str, Any] = {}
    if health is not None:
        stored = tuple_(projects.c.rag_as_of, func.coalesce(projects.c.rag_version, 0))
        offered = tuple_(
            literal(health.as_of, projects.c.rag_as_of.type),
            literal(health.health_version or 0, projects.c.rag_version.type),
        )
        newer = or_(projects.c.rag_as_of.is_(None), offered >= stored)
        told = {
            "rag": health.rag,
            "reasons": [values_of(reason) for reason in health.reasons],
            "metrics": health.metrics,
            "rag_as_of": health.as_of,
            "rag_version": health.health_version,
        }
        values |= {
            # Typed as their columns, so JSON values bind as JSON inside the CASE.
            name: case((newer, literal(value, projects.c[name].type)), else_=projects.c[name])
            for name, value in told.items()
        }
    if report_as_of is not None:
        report = literal(report_as_of, projects.c.last_report_at.type)
        later = or_(projects.c.last_report_at.is_(None), projects.c.last_report_at < report)
        values["last_report_at"] = case((later, report), else_=projects.c.last_report_at)
    if not values:
        return True
    rows = await session.execute(
        update(projects)
        .where(projects.c.id == project_id)
        .values(values)
        .returning(projects.c.rag_as_of, projects.c.rag_version)
    )
    kept = rows.first()
    if kept is None or health is None:
        return True
    return (kept.rag_as_of, kept.rag_version or 0) == (health.as_of, health.health_version or 0)


async def record_health_change(session: AsyncSession, *, change: HealthChange) -> None:
    """Keep one change of colour (a replay of the same health version adds nothing)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    values = values_of(
        change, reason_codes=list(change.reason_codes), changed_at=as_utc(change.changed_at)
    )
    await session.execute(
        dialect.insert(health_changes)
        .values(id=str(uuid.uuid4()), **values)
        .on_conflict_do_nothing(index_elements=["project_id", "health_version"])
    )


async def health_changes_since(
    session: AsyncSession,
    project_ids: Collection[str],
    since: datetime,
    *,
    until: datetime | None = None,
) -> list[HealthChange]:
    """The changes of colour of these projects announced at or after `since` (and before
    `until`, when given: a digest of `until` leaves later changes to the next one), oldest
    first."""
    if not project_ids:
        return []
    window = [health_changes.c.changed_at >= since]
    if until is not None:
        window.append(health_changes.c.changed_at < until)
    query = (
        select(health_changes)
        .where(health_changes.c.project_id.in_(list(project_ids)), *window)
        .order_by(health_changes.c.changed_at, health_changes.c.project_id)
    )
    return await fetch_all(session, query, _health_change)


def _health_change(row: RowMapping) -> HealthChange:
    return record_from(HealthChange, row, reason_codes=tuple(row["reason_codes"]))
