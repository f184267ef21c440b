"""Reads and writes of the deliverables projects file for their gates."""

from __future__ import annotations

from pmo_common.db.rows import fetch_all, values_of
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_standards.db.tables import deliverables
from pmo_standards.domain.compliance import SubmittedDeliverable


async def submitted_deliverables(
    session: AsyncSession, *, project_id: str
) -> list[SubmittedDeliverable]:
    """Every deliverable the project has filed, by gate and name."""
    query = (
        select(deliverables)
        .where(deliverables.c.project_id == project_id)
        .order_by(deliverables.c.gate, deliverables.c.name)
    )
    return await fetch_all(session, query, SubmittedDeliverable)


async def save_deliverable(session: AsyncSession, *, deliverable: SubmittedDeliverable) -> None:
    """File a deliverable; filing it again replaces the link and the submitter."""
    key = (
        deliverables.c.project_id == deliverable.project_id,
        deliverables.c.gate == deliverable.gate,
        deliverables.c.name == deliverable.name,
    )
    changes = {
        "url": deliverable.url,
        "submitted_by": deliverable.submitted_by,
        "submitted_at": deliverable.submitted_at,
    }
    result = await session.execute(update(deliverables).where(*key).values(**changes))
    if result.rowcount == 0:  # type: ignore[attr-defined]
        await session.execute(insert(deliverables).values(**values_of(deliverable)))
