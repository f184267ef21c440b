"""The projection of intake's project registry: names, managers, sponsors and portfolios."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pmo_common.db.rows import fetch_one, insert_or_replace, record_from, values_of
from sqlalchemy import Select, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db.tables import projects
from pmo_notifications.domain.clock import utc_now
from pmo_notifications.domain.project_projection import CLOSED, ProjectRecord, normalised_email


async def get_project(session: AsyncSession, *, project_id: str) -> ProjectRecord | None:
    """The known project with this id, if any."""
    return await fetch_one(
        session, select(projects).where(projects.c.id == project_id), ProjectRecord
    )


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


async def record_signalled_project(
    session: AsyncSession, *, project: ProjectRecord
) -> ProjectRecord:
    """The known project; one first heard of through monitoring is recorded as `project`.

    One statement either way (an upsert whose update changes nothing, returning the row), so a
    signal reads and, when needed, writes the projection once; intake's versions win later.
    """
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(projects)
        .values(**_stored_values(project))
        .on_conflict_do_update(index_elements=[projects.c.id], set_={"version": projects.c.version})
        .returning(*projects.c)
    )
    return record_from(ProjectRecord, (await session.execute(statement)).mappings().one())


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
