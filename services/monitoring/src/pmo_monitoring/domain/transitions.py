"""Which events a change of RAG publishes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, cast

from pmo_monitoring.domain.model import Rag

Severity = Literal["warning", "critical"]

HEALTH_CHANGED = "project.health_changed"
AT_RISK = "project.at_risk"
RECOVERED = "project.recovered"

_RAGS: frozenset[str] = frozenset({"green", "amber", "red", "unknown"})


@dataclass(frozen=True, slots=True)
class Transition:
    """What to publish when a project's RAG goes from `previous_rag` to `new_rag`.

    `severity` is the `project.at_risk` severity, set only when `at_risk` is.
    """

    previous_rag: Rag | None
    new_rag: Rag
    health_changed: bool
    at_risk: bool
    recovered: bool
    severity: Severity | None

    @property
    def event_types(self) -> tuple[str, ...]:
        """The event types to publish, health_changed first."""
        flags = (
            (HEALTH_CHANGED, self.health_changed),
            (AT_RISK, self.at_risk),
            (RECOVERED, self.recovered),
        )
        return tuple(event_type for event_type, publish in flags if publish)


def severity_for(rag: str) -> Severity | None:
    """Alert severity of a RAG: red is critical, amber a warning, anything else none."""
    if rag == "red":
        return "critical"
    if rag == "amber":
        return "warning"
    return None


def decide_transition(previous_rag: str | None, new_rag: str) -> Transition:
    """Decide the events for a RAG change; None means the project was never assessed.

    Any change publishes `project.health_changed` (the first assessment too). Entering red
    from anything else publishes `project.at_risk` (critical); leaving red for amber or green
    publishes `project.recovered`. Red to unknown is not a recovery: nothing shows the project
    is better. A project that stays red publishes nothing new.
    """
    previous = None if previous_rag is None else _as_rag(previous_rag)
    new = _as_rag(new_rag)
    at_risk = new == "red" and previous != "red"
    return Transition(
        previous_rag=previous,
        new_rag=new,
        health_changed=previous != new,
        at_risk=at_risk,
        recovered=previous == "red" and new in ("amber", "green"),
        severity=severity_for(new) if at_risk else None,
    )


def _as_rag(value: str) -> Rag:
    if value not in _RAGS:
        raise ValueError(f"not a RAG: {value!r} (expected green, amber, red or unknown)")
    return cast(Rag, value)
