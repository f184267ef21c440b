"""Read of the stored earned-value figures of a page of projects (the roll-up's listed ones).

The figures are those of each project's latest assessment (project_health.metrics), the ones
GET /v1/projects/{id}/health answers and the heatmap colours; one query for the whole page.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db.tables import project_health


async def stored_metrics(
    session: AsyncSession, project_ids: Collection[str]
) -> dict[str, Mapping[str, Any]]:
    """Each listed project's stored metrics, by id (absent: never assessed)."""
    if not project_ids:
        return {}
    health = project_health.c
    rows = await session.execute(
        select(health.project_id, health.metrics).where(health.project_id.in_(list(project_ids)))
    )
    return {row.project_id: dict(row.metrics or {}) for row in rows}
