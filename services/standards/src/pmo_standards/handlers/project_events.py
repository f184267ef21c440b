"""Keep standards' projection of the project registry from intake's project.* events.

Events arrive at least once and, after a dead-letter replay, possibly late: a snapshot whose
version is not newer than the stored one is ignored, so a replay can never roll a project back.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from pmo_common.events.envelope import CloudEvent
from pmo_common.events.payloads import (
    ProjectClosed,
    ProjectCreated,
    ProjectSnapshot,
    ProjectUpdated,
)
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_standards.db.project_repository import (
    fill_ownership,
    get_project,
    insert_project,
    overwrite_project,
)
from pmo_standards.domain.projects import CLOSED, ProjectView, supersedes

log = logging.getLogger(__name__)


async def _apply_snapshot(session: AsyncSession, snapshot: ProjectSnapshot) -> None:
    incoming = ProjectView(
        id=snapshot.project_id,
        name=snapshot.name,
        manager=snapshot.manager,
        methodology=snapshot.methodology,
        status=snapshot.status,
        version=snapshot.version,
    )
    now = datetime.now(UTC)
    stored = await get_project(session, project_id=snapshot.project_id)
    if stored is None:
        await insert_project(session, project=incoming, now=now)
    elif supersedes(incoming.version, stored.version):
        await overwrite_project(session, project=incoming, now=now)
    elif stored.manager is None:
        # Known only from a closing event so far: an older snapshot still tells us who manages
        # it and how, which no newer event has said.
        await fill_ownership(
            session,
            project_id=stored.id,
            manager=snapshot.manager,
            methodology=snapshot.methodology,
            now=now,
        )
    else:
        log.info(
            "ignoring stale project snapshot",
            extra={"project_id": stored.id, "stored": stored.version, "got": snapshot.version},
        )


async def on_project_created(session: AsyncSession, event: CloudEvent) -> None:
    """A project entered the registry."""
    await _apply_snapshot(session, ProjectCreated.model_validate(event.data))


async def on_project_updated(session: AsyncSession, event: CloudEvent) -> None:
    """A project's baseline or ownership changed."""
    await _apply_snapshot(session, ProjectUpdated.model_validate(event.data))


async def on_project_closed(session: AsyncSession, event: CloudEvent) -> None:
    """A project was closed.

    Closing is final, so a close carrying the stored version (an intake that did not bump the
    version on closing, or a redelivery) still applies; only an older one is ignored.
    """
    closed = ProjectClosed.model_validate(event.data)
    now = datetime.now(UTC)
    stored = await get_project(session, project_id=closed.project_id)
    if stored is None:
        await insert_project(
            session,
            project=ProjectView(
                id=closed.project_id,
                name=closed.name,
                manager=None,
                methodology=None,
                status=CLOSED,
                version=closed.version,
            ),
            now=now,
        )
    elif closed.version >= stored.version:
        await overwrite_project(
            session,
            project=ProjectView(
                id=stored.id,
                name=closed.name,
                manager=stored.manager,
                methodology=stored.methodology,
                status=CLOSED,
                version=closed.version,
            ),
            now=now,
        )
    else:
        log.info(
            "ignoring stale project closure",
            extra={"project_id": stored.id, "stored": stored.version, "got": closed.version},
        )
