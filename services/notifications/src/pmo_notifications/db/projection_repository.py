"""The projection of intake's project registry: names, managers, sponsors and portfolios."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from pmo_common.db.rows import (
    as_utc,
    fetch_by_id,
    insert_or_replace,
    record_from,
    values_of,
)
from sqlalchemy import Select, case, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db.tables import projects
from pmo_notifications.domain.clock import utc_now
from pmo_notifications.domain.project_projection import CLOSED, ProjectRecord, normalised_email


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
    session: AsyncSession, *, project: ProjectRecord, signal_sent_at: datetime | None = None
) -> SignalledProject:
    """The known project; one first heard of through monitoring is recorded as `project`.

    With `signal_sent_at` (an at-risk or recovered signal), the projection keeps the time of the
    newest such signal, and the answer says whether this one is it: the two events travel on
    different topics, so an older one may arrive after a newer one and must then change nothing.
    One statement either way (an upsert returning the row), so a signal reads and, when needed,
    writes the projection once; intake's versions win later.
    """
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    sent_at = as_utc(signal_sent_at) if signal_sent_at is not None else None
    statement = dialect.insert(projects).values(**_stored_values(project), health_signal_at=sent_at)
    stored = projects.c.health_signal_at
    offered = statement.excluded.health_signal_at
    newest_time = case((or_(stored.is_(None), offered > stored), offered), else_=stored)
    kept = {"version": projects.c.version} if sent_at is None else {"health_signal_at": newest_time}
    row = (
        (
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=[projects.c.id], set_=kept
                ).returning(*projects.c)
            )
        )
        .mappings()
        .one()
    )
    known_newest = row["health_signal_at"]
    newest = sent_at is None or (known_newest is not None and as_utc(known_newest) == sent_at)
    return SignalledProject(record_from(ProjectRecord, row), newest)


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
