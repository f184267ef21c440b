"""Standards' gate decisions, forwarded to subscribers (a rejection counts as a warning)."""

from __future__ import annotations

from pmo_common.events.payloads import GateDecided
from pmo_common.messaging.consumed_events import Consumed
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db.projection_repository import get_project
from pmo_notifications.domain.wording import N_
from pmo_notifications.handlers.event_forwarding import forward_event

# What the e-mail's summary says of each decision (any other is named as it came).
_DECIDED = {
    "approved": N_("Gate {gate} of project {name} was approved"),
    "rejected": N_("Gate {gate} of project {name} was rejected"),
    "conditional": N_("Gate {gate} of project {name} was approved with conditions"),
    "decided": N_("Gate {gate} of project {name} was decided: {decision}"),
}


async def on_gate_decided(session: AsyncSession, event: Consumed[GateDecided]) -> None:
    """Forward a gate decision to its subscribers, naming the project when it is known."""
    payload = event.payload
    project = await get_project(session, project_id=payload.project_id)
    name = project.name if project else payload.project_id
    await forward_event(
        session,
        event,
        portfolio_id=project.portfolio_id if project else None,
        summary=lambda wording: wording._(
            _DECIDED.get(payload.decision, _DECIDED["decided"])
        ).format(gate=payload.gate, name=name, decision=payload.decision),
        severity="warning" if payload.decision == "rejected" else None,
    )
