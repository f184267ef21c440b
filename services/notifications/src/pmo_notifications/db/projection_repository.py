"""The projection of intake's project registry: names, managers, sponsors and portfolios."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from pmo_common.db.rows import (
    as_utc,
    fetch_by_id,
    insert_or_replace,
    record_from,
    values_of,
)
from sqlalchemy import (
    ColumnElement,
    Select,
    Tuple,
    and_,
    case,
    func,
    insert,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.base import Executable, ReadOnlyColumnCollection

from pmo_notifications.db.tables import projects
from pmo_notifications.domain.clock import utc_now
from pmo_notifications.domain.project_projection import (
    CLOSED,
    HealthSignalStamp,
    ProjectRecord,
    normalised_email,
)


async def get_project(session: AsyncSession, *, project_id: str) -> ProjectRecord | None:
    """The known project with this id, if any."""
    return await fetch_by_id(session, projects, project_id, ProjectRecord)


def _stored_values(project: ProjectRecord) -> dict[str, Any]:
    # E-mails are compared lower-cased, so they are stored that way.
    return values_of(
        project,
        manager=normalised_email(project.manager),
        sponsor=normalised_email(project.sponsor),
        updated_at=utc_now(),
    )


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
    return SignalledProject(record_from(ProjectRecord, row), newest)


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
        await session.execute(insert(projects).values(**values_of(closed), updated_at=at))
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
