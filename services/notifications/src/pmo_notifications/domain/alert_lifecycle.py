"""The alert state machine: open -> acknowledged -> resolved, with idempotent transitions."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime

from pmo_notifications.domain.reason_line import ReasonLine
from pmo_notifications.domain.refusal import Refusal

OPEN = "open"
ACKNOWLEDGED = "acknowledged"
RESOLVED = "resolved"
ALERT_STATUSES: tuple[str, ...] = (OPEN, ACKNOWLEDGED, RESOLVED)
ACTIVE_STATUSES: tuple[str, ...] = (OPEN, ACKNOWLEDGED)
SYSTEM_ACTOR = "system"


class AlertTransitionRefused(Refusal):
    """The requested change is not allowed from the alert's current status."""


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


# An alert carries its lifecycle flat (one column per field of `AlertState`, by the same name).
_STATE_FIELDS = tuple(field.name for field in fields(AlertState))


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


@dataclass(frozen=True, slots=True)
class AlertRecord:
    """An alert as stored."""

    id: str
    project_id: str
    project_name: str
    kind: str
    deduplication_key: str
    severity: str
    status: str
    title: str
    reasons: tuple[ReasonLine, ...]
    rag: str | None
    opened_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    resolution_note: str | None
    last_event_at: datetime

    @property
    def state(self) -> AlertState:
        """The lifecycle part of the alert."""
        return AlertState(**{name: getattr(self, name) for name in _STATE_FIELDS})

    def with_state(self, state: AlertState, *, at: datetime) -> AlertRecord:
        """The alert after a transition to `state` at `at`."""
        changed = {name: getattr(state, name) for name in _STATE_FIELDS}
        return replace(self, **changed, last_event_at=at)

    @property
    def actor(self) -> str | None:
        """Who made the alert's latest change (None while it is merely open)."""
        return self.resolved_by if self.status == RESOLVED else self.acknowledged_by
