"""The alert state machine: open -> acknowledged -> resolved, with idempotent transitions."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

OPEN = "open"
ACKNOWLEDGED = "acknowledged"
RESOLVED = "resolved"
ALERT_STATUSES: tuple[str, ...] = (OPEN, ACKNOWLEDGED, RESOLVED)
ACTIVE_STATUSES: tuple[str, ...] = (OPEN, ACKNOWLEDGED)
SYSTEM_ACTOR = "system"


class AlertTransitionRefused(Exception):
    """The requested change is not allowed from the alert's current status."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class AlertState:
    """The part of an alert its lifecycle changes."""

    status: str
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    resolution_note: str | None = None

    @property
    def is_active(self) -> bool:
        """Open or acknowledged: still asking for attention."""
        return self.status in ACTIVE_STATUSES


@dataclass(frozen=True, slots=True)
class Transition:
    """The state after a requested change, and whether anything changed."""

    state: AlertState
    changed: bool


def acknowledge(state: AlertState, *, actor: str, at: datetime) -> Transition:
    """Acknowledge an open alert; acknowledging twice changes nothing; a resolved one refuses."""
    if state.status == RESOLVED:
        raise AlertTransitionRefused(
            "the alert is already resolved, so it can no longer be acknowledged"
        )
    if state.status == ACKNOWLEDGED:
        return Transition(state, changed=False)
    return Transition(
        replace(state, status=ACKNOWLEDGED, acknowledged_at=at, acknowledged_by=actor),
        changed=True,
    )


def resolve(state: AlertState, *, actor: str, at: datetime, note: str | None) -> Transition:
    """Resolve an open or acknowledged alert; resolving a resolved alert changes nothing."""
    if state.status == RESOLVED:
        return Transition(state, changed=False)
    return Transition(
        replace(state, status=RESOLVED, resolved_at=at, resolved_by=actor, resolution_note=note),
        changed=True,
    )
