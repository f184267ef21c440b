"""Reads of a page of projects' timelines: stored health, figures row, a past point of history.

For the projects of one page of the roll-up (a bounded list of ids, never every project): the
stored health whose reasons colour the heatmap, the figures row (methodology, start) that tells
a missed report, and the point of history newest on a given day (what colour the project had).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db.health_repository import health_from_row
from pmo_monitoring.db.tables import health_snapshots, project_figures, project_health
from pmo_monitoring.domain.model import Rag
from pmo_monitoring.domain.project_timeline import ProjectTimeline
from pmo_monitoring.domain.records import as_rag


async def project_timelines(
    session: AsyncSession, project_ids: Collection[str], *, week_ago: date
) -> dict[str, ProjectTimeline]:
    """The timeline of each listed project, by id (three queries, whatever the page size)."""
    if not project_ids:
        return {}
    ids = list(project_ids)
    figures = project_figures.c
    rows = await session.execute(
        select(
            figures.project_id,
            figures.methodology,
            figures.closed,
            figures.start_day,
        ).where(figures.project_id.in_(ids))
    )
    healths = {
        row["project_id"]: health_from_row(row)
        for row in (
            await session.execute(
                select(project_health).where(project_health.c.project_id.in_(ids))
            )
        ).mappings()
    }
    points = await _points_on(session, ids, week_ago)
    return {
        row.project_id: ProjectTimeline(
            methodology=row.methodology,
            closed=bool(row.closed),
            start_date=date.fromordinal(int(row.start_day)),
            health=healths.get(row.project_id),
            point_a_week_ago=points.get(row.project_id),
        )
        for row in rows
    }


async def _points_on(
    session: AsyncSession, ids: list[str], day: date
) -> dict[str, tuple[date, Rag]]:
    """Each project's newest point of history on or before `day` (one index probe each)."""
    points = health_snapshots.c
    newest = (
        select(points.project_id, func.max(points.as_of).label("as_of"))
        .where(points.project_id.in_(ids), points.as_of <= day)
        .group_by(points.project_id)
        .subquery()
    )
    query = select(points.project_id, points.as_of, points.rag).join(
        newest,
        (points.project_id == newest.c.project_id) & (points.as_of == newest.c.as_of),
    )
    return {row.project_id: (row.as_of, as_rag(row.rag)) for row in await session.execute(query)}
