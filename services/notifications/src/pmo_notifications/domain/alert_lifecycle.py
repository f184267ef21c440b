"""The alert state machine: open -> acknowledged -> resolved, with idempotent transitions."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime

from pmo_notifications.domain.escalation_ladder import LadderPosition
from pmo_notifications.domain.reason_line import ReasonLine
from pmo_notifications.domain.refusal import Refusal

OPEN = "open"
ACKNOWLEDGED = "acknowledged"
RESOLVED = "resolved"
ALERT_STATUSES: tuple[str, ...] = (OPEN, ACKNOWLEDGED, RESOLVED)
ACTIVE_STATUSES: tuple[str, ...] = (OPEN, ACKNOWLEDGED)
SYSTEM_ACTOR = "system"


@dataclass(frozen=True, slots=True)
class SeverityChange:
    """One raise or lowering of an alert's severity, as its project's condition moved."""

    at: datetime
    previous: str
    current: str


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
    # The escalation ladder (domain/escalation_ladder.py): the policy chosen when the alert
    # opened (None: it does not escalate), the level reached, the repeats started, and when
    # the next step is due (None once acknowledged, resolved or at the top).
    escalation_policy_id: str | None = None
    escalation_level: int = 0
    escalation_repeats: int = 0
    next_escalation_at: datetime | None = None
    # Each raise or lowering of the severity, oldest first (the alert keeps its id throughout).
    severity_changes: tuple[SeverityChange, ...] = ()

    @property
    def state(self) -> AlertState:
        """The lifecycle part of the alert."""
        return AlertState(**{name: getattr(self, name) for name in _STATE_FIELDS})

    def with_state(self, state: AlertState, *, at: datetime) -> AlertRecord:
        """The alert after a transition to `state` at `at`."""
        changed = {name: getattr(state, name) for name in _STATE_FIELDS}
        # Only an open alert climbs: acknowledging or resolving it stops the ladder.
        next_escalation_at = self.next_escalation_at if state.status == OPEN else None
        return replace(self, **changed, last_event_at=at, next_escalation_at=next_escalation_at)

    @property
    def ladder_position(self) -> LadderPosition:
        """Where the alert stands on its escalation ladder."""
        return LadderPosition(
            self.escalation_level, self.escalation_repeats, self.next_escalation_at
        )

    @property
    def actor(self) -> str | None:
        """Who made the alert's latest change (None while it is merely open)."""
        return self.resolved_by if self.status == RESOLVED else self.acknowledged_by
