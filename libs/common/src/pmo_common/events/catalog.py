"""The event catalog: every event type, its payload model, version and producer.

Each event type is a typed constant (`PROJECT_CREATED: EventSpec[ProjectCreated]`): producers
hand it to the outbox and consumers register handlers on it, so the payload model travels with
the name and mypy checks that a handler and an emitter agree on it.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pmo_common.events.payloads import (
    ActionAdded,
    ActionDone,
    ActionOverdue,
    AlertEscalated,
    AlertEvent,
    AlertSeverityChanged,
    ComplianceEvaluated,
    DeliveryEvent,
    EarlyWarning,
    EarlyWarningCleared,
    EventPayload,
    ExceptionDecided,
    ExceptionReported,
    GateDecided,
    HealthChanged,
    InterventionAssigned,
    InterventionClosed,
    InterventionOpened,
    MethodologyPublished,
    PortfolioEvent,
    PortfolioMembership,
    ProjectAtRisk,
    ProjectClosed,
    ProjectCreated,
    ProjectRebaselined,
    ProjectRecovered,
    ProjectUpdated,
    ReportOverdue,
    RequestEvent,
    ScenarioCommitted,
    StatusReported,
)

# Invariant on purpose: `outbox.enqueue(session, PROJECT_CREATED, payload)` must refuse, at type
# checking, a payload of another event (a covariant spec would widen to EventPayload and accept).
P = TypeVar("P", bound=EventPayload)


@dataclass(frozen=True, slots=True)
class EventSpec(Generic[P]):
    """What the catalog knows of one event type; `payload` is the model its data parses into."""

    type: str
    payload: builtins.type[P]
    producer: str
    summary: str
    version: int = 1


REQUEST_SUBMITTED = EventSpec(
    "intake.request.submitted", RequestEvent, "intake", "A project request was submitted"
)
REQUEST_APPROVED = EventSpec(
    "intake.request.approved", RequestEvent, "intake", "A request was approved"
)
REQUEST_REJECTED = EventSpec(
    "intake.request.rejected", RequestEvent, "intake", "A request was rejected"
)
REQUEST_RECOMMENDED = EventSpec(
    "intake.request.recommended",
    RequestEvent,
    "intake",
    "A portfolio manager recommended a request for the PMO's decision",
)
REQUEST_RETURNED = EventSpec(
    "intake.request.returned", RequestEvent, "intake", "A request was returned for rework"
)
SCENARIO_COMMITTED = EventSpec(
    "intake.scenario.committed",
    ScenarioCommitted,
    "intake",
    "A portfolio scenario was committed and its requests sent to the PMO's decision",
)
PORTFOLIO_CREATED = EventSpec(
    "intake.portfolio.created", PortfolioEvent, "intake", "A portfolio was created"
)
PORTFOLIO_MEMBER_ADDED = EventSpec(
    "intake.portfolio.member_added",
    PortfolioMembership,
    "intake",
    "A person was given a role in a portfolio (portfolio manager or viewer)",
)
PORTFOLIO_MEMBER_REMOVED = EventSpec(
    "intake.portfolio.member_removed",
    PortfolioMembership,
    "intake",
    "A person's role in a portfolio was taken back",
)
PROJECT_CREATED = EventSpec(
    "project.created", ProjectCreated, "intake", "A project entered the registry"
)
PROJECT_UPDATED = EventSpec(
    "project.updated", ProjectUpdated, "intake", "A project's baseline changed"
)
PROJECT_CLOSED = EventSpec("project.closed", ProjectClosed, "intake", "A project was closed")
PROJECT_REBASELINED = EventSpec(
    "project.rebaselined",
    ProjectRebaselined,
    "intake",
    "A project's baseline changed under change control: a new baseline version is in force",
)
METHODOLOGY_PUBLISHED = EventSpec(
    "standards.methodology.published",
    MethodologyPublished,
    "standards",
    "A methodology version was published with its thresholds",
)
COMPLIANCE_EVALUATED = EventSpec(
    "project.compliance.evaluated",
    ComplianceEvaluated,
    "standards",
    "A project's compliance with its methodology was evaluated",
)
GATE_DECIDED = EventSpec(
    "project.gate.decided", GateDecided, "standards", "A phase gate was decided"
)
STATUS_REPORTED = EventSpec(
    "project.status_reported", StatusReported, "monitoring", "A status report was filed"
)
HEALTH_CHANGED = EventSpec(
    "project.health_changed", HealthChanged, "monitoring", "A project's RAG changed"
)
PROJECT_AT_RISK = EventSpec("project.at_risk", ProjectAtRisk, "monitoring", "A project entered red")
PROJECT_RECOVERED = EventSpec(
    "project.recovered", ProjectRecovered, "monitoring", "A red project recovered"
)
REPORT_OVERDUE = EventSpec(
    "project.report_overdue", ReportOverdue, "monitoring", "A status report is overdue"
)
EARLY_WARNING = EventSpec(
    "project.early_warning",
    EarlyWarning,
    "monitoring",
    "A forecast says a threshold will be crossed soon (once per warning episode)",
)
EARLY_WARNING_CLEARED = EventSpec(
    "project.early_warning_cleared",
    EarlyWarningCleared,
    "monitoring",
    "A warning episode ended: the latest report no longer shows it",
)
ALERT_RAISED = EventSpec("alert.raised", AlertEvent, "notifications", "An alert was opened")
ALERT_ACKNOWLEDGED = EventSpec(
    "alert.acknowledged", AlertEvent, "notifications", "An alert was acknowledged"
)
ALERT_RESOLVED = EventSpec("alert.resolved", AlertEvent, "notifications", "An alert was resolved")
ALERT_SEVERITY_CHANGED = EventSpec(
    "alert.severity_changed",
    AlertSeverityChanged,
    "notifications",
    "An open alert was raised or lowered with its project's condition",
)
ALERT_ESCALATED = EventSpec(
    "alert.escalated",
    AlertEscalated,
    "notifications",
    "An unacknowledged alert climbed its escalation ladder",
)
INTERVENTION_OPENED = EventSpec(
    "intervention.opened",
    InterventionOpened,
    "standards",
    "The PMO opened a case to support a project in difficulty",
)
INTERVENTION_ASSIGNED = EventSpec(
    "intervention.assigned",
    InterventionAssigned,
    "standards",
    "A PMO consultant took ownership of an intervention",
)
EXCEPTION_REPORTED = EventSpec(
    "project.exception_reported",
    ExceptionReported,
    "standards",
    "A project manager filed an exception report",
)
EXCEPTION_DECIDED = EventSpec(
    "project.exception_decided",
    ExceptionDecided,
    "standards",
    "The portfolio board decided on an exception",
)
ACTION_OVERDUE = EventSpec(
    "intervention.action_overdue",
    ActionOverdue,
    "standards",
    "A recovery action passed its due date",
)
ACTION_ADDED = EventSpec(
    "intervention.action_added", ActionAdded, "standards", "A recovery action was agreed"
)
ACTION_DONE = EventSpec(
    "intervention.action_done", ActionDone, "standards", "A recovery action was done"
)
INTERVENTION_CLOSED = EventSpec(
    "intervention.closed", InterventionClosed, "standards", "An intervention was closed"
)
NOTIFICATION_DELIVERED = EventSpec(
    "notification.delivered", DeliveryEvent, "notifications", "A notification was delivered"
)
NOTIFICATION_FAILED = EventSpec(
    "notification.failed", DeliveryEvent, "notifications", "A notification delivery failed"
)

_SPECS: tuple[EventSpec[Any], ...] = (
    REQUEST_SUBMITTED,
    REQUEST_APPROVED,
    REQUEST_REJECTED,
    REQUEST_RECOMMENDED,
    REQUEST_RETURNED,
    SCENARIO_COMMITTED,
    PORTFOLIO_CREATED,
    PORTFOLIO_MEMBER_ADDED,
    PORTFOLIO_MEMBER_REMOVED,
    PROJECT_CREATED,
    PROJECT_UPDATED,
    PROJECT_CLOSED,
    PROJECT_REBASELINED,
    METHODOLOGY_PUBLISHED,
    COMPLIANCE_EVALUATED,
    GATE_DECIDED,
    STATUS_REPORTED,
    HEALTH_CHANGED,
    PROJECT_AT_RISK,
    PROJECT_RECOVERED,
    REPORT_OVERDUE,
    EARLY_WARNING,
    EARLY_WARNING_CLEARED,
    ALERT_RAISED,
    ALERT_ACKNOWLEDGED,
    ALERT_RESOLVED,
    ALERT_ESCALATED,
    ALERT_SEVERITY_CHANGED,
    INTERVENTION_OPENED,
    INTERVENTION_ASSIGNED,
    EXCEPTION_REPORTED,
    EXCEPTION_DECIDED,
    ACTION_OVERDUE,
    ACTION_ADDED,
    ACTION_DONE,
    INTERVENTION_CLOSED,
    NOTIFICATION_DELIVERED,
    NOTIFICATION_FAILED,
)

EVENT_CATALOG: dict[str, EventSpec[Any]] = {spec.type: spec for spec in _SPECS}
