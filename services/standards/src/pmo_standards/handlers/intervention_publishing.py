"""The events an intervention publishes, each carrying who and what the case is about."""

from __future__ import annotations

from typing import Any, TypeVar

from pmo_common.events.catalog import EventSpec
from pmo_common.events.payloads import InterventionEvent, ProjectAlertSubject
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_standards.db.intervention_repository import save_intervention
from pmo_standards.db.outbox import outbox
from pmo_standards.domain.interventions import Intervention, RecoveryAction

P = TypeVar("P", bound=InterventionEvent)

# What a case keeps of its project: what project.at_risk said of it, which every intervention
# event says again.
_PROJECT_FACTS = ("project_id", "project_name", "manager", "sponsor", "portfolio_id")


def project_facts(source: Intervention | ProjectAlertSubject) -> dict[str, Any]:
    """The project's id, name, manager, sponsor and portfolio, as a case or an event tells them."""
    return {name: getattr(source, name) for name in _PROJECT_FACTS}


def action_facts(action: RecoveryAction) -> dict[str, Any]:
    """What the events about one recovery action say of it: id, title, owner and due date."""
    return {
        "action_id": action.id,
        "title": action.title,
        "action_owner": action.owner,
        "due_date": action.due_date,
    }


async def announce(
    session: AsyncSession, spec: EventSpec[P], intervention: Intervention, **fields: Any
) -> None:
    """Write the event about the case to the outbox (key: the project id), in the caller's
    transaction; `fields` are what this event adds to the case's common ones."""
    payload = spec.payload(
        **project_facts(intervention),
        intervention_id=intervention.id,
        owner=intervention.owner,
        **fields,
    )
    await outbox.enqueue(session, spec, payload, subject=intervention.project_id)


async def save_and_announce(
    session: AsyncSession, spec: EventSpec[P], changed: Intervention, **fields: Any
) -> Intervention:
    """Store the changed case and publish the event telling of the change, in one transaction."""
    await save_intervention(session, intervention=changed)
    await announce(session, spec, changed, **fields)
    return changed
