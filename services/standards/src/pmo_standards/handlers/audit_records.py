"""The audit records of standards' changes, each written in the change's transaction.

A case's record lists the fields of the case itself before and after; its recovery actions are
audited apart, as their own resource. Library entries and gate decisions are only ever added.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_standards.db.audit_trail import trail
from pmo_standards.domain.compliance import GateDecision, SubmittedDeliverable
from pmo_standards.domain.interventions import Intervention, RecoveryAction
from pmo_standards.domain.practices import Practice

Audited = Intervention | RecoveryAction | Practice | GateDecision

_RESOURCE_TYPES: dict[type[Any], str] = {
    Intervention: "intervention",
    RecoveryAction: "recovery_action",
    Practice: "practice",
    GateDecision: "gate_decision",
}


def _state(record: Audited | None) -> dict[str, Any] | None:
    if record is None:
        return None
    state = asdict(record)
    state.pop("actions", None)  # a case's actions are audited as themselves
    return state


async def record_change(
    session: AsyncSession, verb: str, *, after: Audited, before: Audited | None = None
) -> None:
    """Record `<resource type>.<verb>`: intervention.opened, .assigned, .exception_reported,
    .decided, .closed; recovery_action.added, .done; practice.created (a case's lesson too:
    `kind` says so); gate_decision.created."""
    resource_type = _RESOURCE_TYPES[type(after)]
    await trail.record(
        session,
        action=f"{resource_type}.{verb}",
        resource_type=resource_type,
        resource_id=after.id,
        before=_state(before),
        after=_state(after),
    )


async def record_deliverable_filed(
    session: AsyncSession, deliverable: SubmittedDeliverable
) -> None:
    """Record `deliverable.filed` under the project's id (a deliverable has none of its own)."""
    await trail.record(
        session,
        action="deliverable.filed",
        resource_type="deliverable",
        resource_id=deliverable.project_id,
        after=asdict(deliverable),
    )
