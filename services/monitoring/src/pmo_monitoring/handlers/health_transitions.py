"""The events a change of health publishes: health_changed, at_risk and recovered."""

from __future__ import annotations

from typing import Any

from pmo_common.events.catalog import HEALTH_CHANGED, PROJECT_AT_RISK, PROJECT_RECOVERED
from pmo_common.events.payloads import (
    HealthChanged,
    HealthMetrics,
    ProjectAtRisk,
    ProjectRecovered,
)
from pmo_common.events.payloads import Reason as ReasonPayload
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db.outbox import outbox
from pmo_monitoring.domain.records import MonitoredProject, RecordedHealth
from pmo_monitoring.domain.transitions import Transition


def alert_subject(project: MonitoredProject) -> dict[str, Any]:
    """The fields every alerting event starts with (`ProjectAlertSubject`): the project, and
    the people notifications tells of it."""
    return {
        "project_id": project.id,
        "project_name": project.name,
        "manager": project.manager,
        "sponsor": project.sponsor,
        "portfolio_id": project.portfolio_id,
    }


def published_health(recorded: RecordedHealth) -> dict[str, Any]:
    """What every event caused by a stored health says of it (`as_of` is the health's)."""
    health = recorded.health
    return {
        "rag": health.rag,
        "reasons": [ReasonPayload.model_validate(reason) for reason in health.reasons],
        "metrics": HealthMetrics.model_validate(health.metrics),
        "as_of": health.as_of,
        "health_version": recorded.version,
    }


async def publish_transition(
    session: AsyncSession,
    *,
    project: MonitoredProject,
    transition: Transition,
    recorded: RecordedHealth,
) -> None:
    """Write the transition's events to the outbox, health_changed first.

    Each carries `health_version`, the version of the stored health that caused it, by
    which consumers order what they apply (a replayed older event changes nothing).
    """
    if not transition.event_types:
        return  # the usual report: the same colour, so no event and no payload to build
    owner = alert_subject(project)
    health = published_health(recorded)
    if transition.health_changed:
        changed = HealthChanged.model_validate(
            {**owner, "previous_rag": transition.previous_rag, **health}
        )
        await outbox.enqueue(session, HEALTH_CHANGED, changed, subject=project.id)
    if transition.at_risk:
        at_risk = ProjectAtRisk.model_validate({**owner, "severity": transition.severity, **health})
        await outbox.enqueue(session, PROJECT_AT_RISK, at_risk, subject=project.id)
    if transition.recovered and transition.previous_rag is not None:
        recovered = ProjectRecovered.model_validate(
            {**owner, "previous_rag": transition.previous_rag, **health}
        )
        await outbox.enqueue(session, PROJECT_RECOVERED, recovered, subject=project.id)
