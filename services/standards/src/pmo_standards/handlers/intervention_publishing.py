"""The events an intervention publishes, each carrying who and what the case is about."""

from __future__ import annotations

from typing import Any, TypeVar

from pmo_common.events.catalog import EventSpec
from pmo_common.events.payloads import InterventionEvent
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_standards.db.outbox import outbox
from pmo_standards.domain.interventions import Intervention

P = TypeVar("P", bound=InterventionEvent)


async def announce(
    session: AsyncSession, spec: EventSpec[P], intervention: Intervention, **fields: Any
) -> None:
    """Write the event about the case to the outbox (key: the project id), in the caller's
    transaction; `fields` are what this event adds to the case's common ones."""
    payload = spec.payload(
        project_id=intervention.project_id,
        project_name=intervention.project_name,
        manager=intervention.manager,
        sponsor=intervention.sponsor,
        portfolio_id=intervention.portfolio_id,
        intervention_id=intervention.id,
        owner=intervention.owner,
        **fields,
    )
    await outbox.enqueue(session, spec, payload, subject=intervention.project_id)
