"""The event catalog: every event type, its payload model, version and producer."""

from __future__ import annotations

import builtins
from dataclasses import dataclass

from pmo_common.events.payloads import (
    AlertEvent,
    ComplianceEvaluated,
    DeliveryEvent,
    EventPayload,
    GateDecided,
    HealthChanged,
    MethodologyPublished,
    ProjectAtRisk,
    ProjectClosed,
    ProjectCreated,
    ProjectRecovered,
    ProjectUpdated,
    ReportOverdue,
    RequestEvent,
    StatusReported,
)


@dataclass(frozen=True, slots=True)
class EventSpec:
    """What the catalog knows of one event type."""

    type: str
    payload: builtins.type[EventPayload]
    producer: str
    summary: str
    version: int = 1


_SPECS = (
    EventSpec(
        "intake.request.submitted", RequestEvent, "intake", "A project request was submitted"
    ),
    EventSpec("intake.request.approved", RequestEvent, "intake", "A request was approved"),
    EventSpec("intake.request.rejected", RequestEvent, "intake", "A request was rejected"),
    EventSpec("project.created", ProjectCreated, "intake", "A project entered the registry"),
    EventSpec("project.updated", ProjectUpdated, "intake", "A project's baseline changed"),
    EventSpec("project.closed", ProjectClosed, "intake", "A project was closed"),
    EventSpec(
        "standards.methodology.published",
        MethodologyPublished,
        "standards",
        "A methodology version was published with its thresholds",
    ),
    EventSpec(
        "project.compliance.evaluated",
        ComplianceEvaluated,
        "standards",
        "A project's compliance with its methodology was evaluated",
    ),
    EventSpec("project.gate.decided", GateDecided, "standards", "A phase gate was decided"),
    EventSpec("project.status_reported", StatusReported, "monitoring", "A status report was filed"),
    EventSpec("project.health_changed", HealthChanged, "monitoring", "A project's RAG changed"),
    EventSpec("project.at_risk", ProjectAtRisk, "monitoring", "A project entered red"),
    EventSpec("project.recovered", ProjectRecovered, "monitoring", "A red project recovered"),
    EventSpec("project.report_overdue", ReportOverdue, "monitoring", "A status report is overdue"),
    EventSpec("alert.raised", AlertEvent, "notifications", "An alert was opened"),
    EventSpec("alert.acknowledged", AlertEvent, "notifications", "An alert was acknowledged"),
    EventSpec("alert.resolved", AlertEvent, "notifications", "An alert was resolved"),
    EventSpec(
        "notification.delivered", DeliveryEvent, "notifications", "A notification was delivered"
    ),
    EventSpec(
        "notification.failed", DeliveryEvent, "notifications", "A notification delivery failed"
    ),
)

EVENT_CATALOG: dict[str, EventSpec] = {spec.type: spec for spec in _SPECS}


def spec_for(event_type: str) -> EventSpec:
    """The catalog entry of an event type (KeyError when unknown)."""
    return EVENT_CATALOG[event_type]
