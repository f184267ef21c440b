"""Who owns the PMO's intervention on each project, as standards' intervention.* events tell it.

The opened, assigned and closed events travel on three topics, which Kafka does not order with
each other, and may be replayed: each fact carries its own time, an older fact never overwrites
a newer one, and a closed intervention stays closed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime


@dataclass(frozen=True, slots=True)
class InterventionOwner:
    """A project's latest intervention and its owner (None while unassigned or once closed)."""

    project_id: str
    intervention_id: str
    owner: str | None
    closed: bool
    changed_at: datetime

    @property
    def current_owner(self) -> str | None:
        """The owner the `intervention_owner` keyword reaches: none once the case is closed."""
        return None if self.closed else self.owner


@dataclass(frozen=True, slots=True)
class InterventionFact:
    """What one intervention.* event says (owner None: it names nobody)."""

    project_id: str
    intervention_id: str
    owner: str | None
    closed: bool
    at: datetime


def owner_after(
    current: InterventionOwner | None, fact: InterventionFact
) -> InterventionOwner | None:
    """The record once `fact` is applied; None when the fact changes nothing."""
    told = InterventionOwner(
        project_id=fact.project_id,
        intervention_id=fact.intervention_id,
        owner=None if fact.closed else fact.owner,
        closed=fact.closed,
        changed_at=fact.at,
    )
    if current is None:
        return told
    if current.intervention_id != fact.intervention_id:
        # Another case of the same project: the newer one is the project's case.
        return told if fact.at >= current.changed_at else None
    if current.closed:
        return None
    if fact.closed:
        return told  # whatever its time: a closed case is over
    if fact.at < current.changed_at or fact.owner is None:
        # An older assignment, or an opened event without an owner, leaves the owner alone.
        return None
    return replace(current, owner=fact.owner, changed_at=fact.at)
