"""Reads and writes of the intervention owners projected from standards' events."""

from __future__ import annotations

from pmo_common.db.rows import fetch_where, insert_or_replace, values_of
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db.tables import intervention_owners
from pmo_notifications.domain.intervention_owners import InterventionOwner
from pmo_notifications.domain.project_projection import normalised_email


async def get_intervention_owner(
    session: AsyncSession, *, project_id: str, for_update: bool = False
) -> InterventionOwner | None:
    """The project's latest known intervention (locked for the transaction when `for_update`)."""
    row = intervention_owners.c.project_id == project_id
    return await fetch_where(
        session, intervention_owners, row, InterventionOwner, for_update=for_update
    )


async def save_intervention_owner(
    session: AsyncSession, *, record: InterventionOwner, exists: bool
) -> None:
    """Store the project's intervention over the one read (`exists`), or as its first."""
    await insert_or_replace(
        session,
        intervention_owners,
        values_of(record, owner=normalised_email(record.owner)),
        row=intervention_owners.c.project_id == record.project_id,
        exists=exists,
    )
