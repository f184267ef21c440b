"""Re-assessing the projects that depend on one whose forecast may have moved.

A dependency's reason reads the upstream's stored forecast end, so when the upstream reports
(its health re-assessed and stored) each downstream project with an open dependency on it is
re-assessed in the same transaction: its health_changed / at_risk events flow as if it had
reported itself. One level only: a downstream's own reasons do not move its forecast end, so
its dependents have nothing new to learn.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db import raid_repository as register
from pmo_monitoring.handlers.health_assessment import reassess_and_publish
from pmo_monitoring.handlers.project_queries import load_project


async def reassess_dependents(session: AsyncSession, *, upstream_id: str, today: date) -> None:
    """Re-assess, store and publish the health of every open project depending on
    `upstream_id`, in id order (so two such transactions lock their rows in one order)."""
    for project_id in await register.dependent_project_ids(session, upstream_id=upstream_id):
        if project_id == upstream_id:  # refused on input; never re-assess oneself twice
            continue
        context = await load_project(session, project_id=project_id)
        if context.project.closed:
            continue
        await reassess_and_publish(session, context, today=today)
