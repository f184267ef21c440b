"""The projection of intake's project registry: names, managers, sponsors and portfolios."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db.tables import projects
from pmo_notifications.db.timestamps import utc_now


@dataclass(frozen=True, slots=True)
class ProjectRecord:
    """What notifications knows of a project (e-mails are stored lower-cased)."""

    id: str
    name: str
    manager: str
    sponsor: str | None
    portfolio_id: str | None
    status: str
    version: int


def _lower(email: str | None) -> str | None:
    return email.strip().lower() if email else None


async def get_project(session: AsyncSession, *, project_id: str) -> ProjectRecord | None:
    """The known project with this id, if any."""
    row = (await session.execute(select(projects).where(projects.c.id == project_id))).first()
    if row is None:
        return None
    return ProjectRecord(
        id=row.id,
        name=row.name,
        manager=row.manager,
        sponsor=row.sponsor,
        portfolio_id=row.portfolio_id,
        status=row.status,
        version=row.version,
    )


async def apply_project_version(
    session: AsyncSession,
    *,
    project_id: str,
    name: str,
    manager: str,
    sponsor: str | None,
    portfolio_id: str | None,
    status: str,
    version: int,
) -> bool:
    """Store a project's state unless a newer (or the same) version is already known."""
    values = {
        "name": name,
        "manager": _lower(manager),
        "sponsor": _lower(sponsor),
        "portfolio_id": portfolio_id,
        "status": status,
        "version": version,
        "updated_at": utc_now(),
    }
    known = await get_project(session, project_id=project_id)
    if known is None:
        await session.execute(insert(projects).values(id=project_id, **values))
        return True
    if known.version >= version:
        return False
    await session.execute(update(projects).where(projects.c.id == project_id).values(**values))
    return True


async def remember_project_if_unknown(
    session: AsyncSession,
    *,
    project_id: str,
    name: str,
    manager: str,
    sponsor: str | None,
    portfolio_id: str | None,
) -> None:
    """Record a project first heard of through monitoring, as version 0 (intake's win later)."""
    if await get_project(session, project_id=project_id) is None:
        await session.execute(
            insert(projects).values(
                id=project_id,
                name=name,
                manager=_lower(manager),
                sponsor=_lower(sponsor),
                portfolio_id=portfolio_id,
                status="active",
                version=0,
                updated_at=utc_now(),
            )
        )


async def close_project(session: AsyncSession, *, project_id: str, name: str, version: int) -> bool:
    """Mark a project closed unless a newer version is already known."""
    known = await get_project(session, project_id=project_id)
    if known is not None and known.version >= version:
        return False
    if known is None:
        # Closed before we heard of it: remember it so later stragglers find it closed.
        await session.execute(
            insert(projects).values(
                id=project_id,
                name=name,
                manager="",
                sponsor=None,
                portfolio_id=None,
                status="closed",
                version=version,
                updated_at=utc_now(),
            )
        )
        return True
    await session.execute(
        update(projects)
        .where(projects.c.id == project_id)
        .values(name=name, status="closed", version=version, updated_at=utc_now())
    )
    return True


def projects_led_by(email: str | None) -> Select[tuple[str]]:
    """A subquery of the ids of projects the e-mail manages or sponsors."""
    address = _lower(email) or "\x00no-email"
    return select(projects.c.id).where(
        or_(projects.c.manager == address, projects.c.sponsor == address)
    )
