"""Keep standards' projection of intake's projects from its project.* events.

Events arrive at least once and, after a dead-letter replay, possibly late: a snapshot whose
version is not newer than the stored one is ignored, so a replay can never roll a project back.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from pmo_common.events.payloads import ProjectClosed, ProjectSnapshot
from pmo_common.messaging.consumed_events import Consumed
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_standards.db.intervention_repository import get_open_intervention
from pmo_standards.db.projection_repository import (
    fill_ownership,
    get_project,
    insert_project,
    overwrite_project,
)
from pmo_standards.domain.projects import CLOSED, ProjectView, supersedes
from pmo_standards.handlers.intervention_closing import STANDARDS, close_intervention

log = logging.getLogger(__name__)

# What the projection keeps of a snapshot, besides its id.
_KEPT = {"name", "manager", "methodology", "status", "version", "portfolio_id"}


def _ignore_stale(what: str, stored: ProjectView, got: int) -> None:
    log.info(
        "ignoring stale project %s",
        what,
        extra={"project_id": stored.id, "stored": stored.version, "got": got},
    )


async def on_project_snapshot(session: AsyncSession, event: Consumed[ProjectSnapshot]) -> None:
    """A project entered the registry (project.created) or changed (project.updated)."""
    snapshot = event.payload
    incoming = ProjectView(id=snapshot.project_id, **snapshot.model_dump(include=_KEPT))
    now = datetime.now(UTC)
    stored = await get_project(session, project_id=snapshot.project_id)
    if stored is None:
        await insert_project(session, project=incoming, now=now)
    elif supersedes(incoming.version, stored.version):
        await overwrite_project(session, project=incoming, now=now)
    elif stored.manager is None:
        # Known only from a closing event so far: an older snapshot still tells us who manages
        # it and how, which no newer event has said.
        await fill_ownership(session, project=incoming, now=now)
    else:
        _ignore_stale("snapshot", stored, snapshot.version)


async def on_project_closed(session: AsyncSession, event: Consumed[ProjectClosed]) -> None:
    """A project was closed; its open intervention, if any, closes with it.

    Closing is final, so a close carrying the stored version (an intake that did not bump the
    version on closing, or a redelivery) still applies; only an older one is ignored.
    """
    closed = event.payload
    now = datetime.now(UTC)
    stored = await get_project(session, project_id=closed.project_id)
    if stored is not None and closed.version < stored.version:
        _ignore_stale("closure", stored, closed.version)
        return
    view = ProjectView(
        id=closed.project_id,
        name=closed.name,
        manager=None if stored is None else stored.manager,
        methodology=None if stored is None else stored.methodology,
        status=CLOSED,
        version=closed.version,
        portfolio_id=None if stored is None else stored.portfolio_id,
    )
    if stored is None:
        await insert_project(session, project=view, now=now)
    else:
        await overwrite_project(session, project=view, now=now)
    case = await get_open_intervention(session, project_id=closed.project_id, for_update=True)
    if case is not None:
        await close_intervention(
            session, intervention=case, reason="project_closed", closed_by=STANDARDS, now=now
        )
