"""Typed payloads (version 1) of every event in the catalog.

Payloads ignore unknown fields when read, so a producer may add optional fields without
breaking older consumers; removing or renaming a field needs a new version.
"""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Rag = Literal["green", "amber", "red", "unknown"]
Severity = Literal["info", "warning", "critical"]
# Carried by every health event so a consumer can tell a stale one (a replay, a re-send)
# from news: the same as_of can be assessed twice, a version cannot repeat.
HealthVersion = Annotated[
    int | None,
    Field(
        ge=1,
        description=(
            "The project's health version in monitoring, one higher for every assessment it "
            "stores; consumers apply an effect only when it is newer than the last one they "
            "applied (null on events written before versions existed)"
        ),
    ),
]


class EventPayload(BaseModel):
    """Base of every payload: tolerant reader, strict writer (typed fields)."""

    model_config = ConfigDict(extra="ignore")


class Milestone(EventPayload):
    """A baseline milestone."""

    name: str
    due_date: date


class PlannedValuePoint(EventPayload):
    """A point of a planned-value profile: by `date`, `percent` of the budget is planned."""

    date: dt.date
    percent: float = Field(ge=0, le=100)


class ProjectSnapshot(EventPayload):
    """The project registry's view of a project, as carried by project.created/updated."""

    project_id: str
    name: str
    manager: str
    sponsor: str | None = None
    methodology: str
    start_date: date
    end_date: date
    budget: float
    currency: str
    milestones: list[Milestone] = Field(default_factory=list)
    planned_value_profile: list[PlannedValuePoint] = Field(
        default_factory=list,
        description="Cumulative planned percentages by date (empty: a straight line)",
    )
    portfolio_id: str | None = None
    program_id: str | None = None
    external_ref: str | None = None
    status: str
    version: int = Field(description="Increases by one on every change of the project")
    # Added in a later minor: older events lack it (monitoring then keeps what it knew).
    baseline_version: int | None = Field(
        default=None,
        ge=1,
        description="The number of the baseline version these baseline fields are (1 at "
        "registration, one more for every approved change request or direct change)",
    )


class ProjectCreated(ProjectSnapshot):
    """A project entered the registry."""


class ProjectUpdated(ProjectSnapshot):
    """A project's baseline or ownership changed."""

    changed_fields: list[str] = Field(default_factory=list)


class ProjectClosed(EventPayload):
    """A project was closed and leaves active monitoring."""

    project_id: str
    name: str
    closed_at: datetime
    reason: str | None = None
    version: int


class RequestEvent(EventPayload):
    """A project request (demand) changed state in intake."""

    request_id: str
    title: str
    requested_by: str
    status: str
    portfolio_id: str | None = None
    project_id: str | None = None
    decided_by: str | None = None
    comment: str | None = None
    score: float | None = Field(
        default=None, ge=0, le=100, description="The reviewers' weighted score, if scored"
    )


class PhaseGate(EventPayload):
    """A gate closing a phase, with the deliverables it requires."""

    key: str
    name: str
    required_deliverables: list[str] = Field(default_factory=list)


class MethodologyPublished(EventPayload):
    """A methodology version was published; monitoring applies its thresholds."""

    key: str
    name: str
    version: int
    phases: list[str]
    gates: list[PhaseGate] = Field(default_factory=list)
    report_cadence_days: int
    thresholds: dict[str, float]


class ComplianceFinding(EventPayload):
    """One way a project departs from its methodology."""

    code: str
    message: str


class ComplianceEvaluated(EventPayload):
    """Standards evaluated a project against its methodology."""

    project_id: str
    methodology: str
    compliant: bool
    score: float = Field(ge=0, le=1)
    findings: list[ComplianceFinding] = Field(default_factory=list)


class GateDecided(EventPayload):
    """A phase gate was decided by the PMO."""

    project_id: str
    gate: str
    decision: Literal["approved", "rejected", "conditional"]
    decided_by: str
    comment: str | None = None


class Reason(EventPayload):
    """Why a project is not green, in words a project manager understands."""

    code: str
    message: str
    metric: str | None = None
    value: float | str | None = None
    threshold: float | str | None = None
    # The message in every language the product speaks, by language code ("en", "fr"); added
    # in a later minor, so older events have only `message` (English).
    messages: dict[str, str] = Field(default_factory=dict)


class HealthMetrics(EventPayload):
    """Earned-value figures; a metric is null where it cannot be computed."""

    model_config = ConfigDict(extra="allow")

    pv: float | None = None
    ev: float | None = None
    ac: float | None = None
    bac: float | None = None
    cpi: float | None = None
    spi: float | None = None
    eac: float | None = None
    etc: float | None = None
    vac: float | None = None
    tcpi: float | None = None
    spi_t: float | None = None
    forecast_end_date: date | None = None


class StatusReported(EventPayload):
    """A project manager filed a status report."""

    project_id: str
    report_id: str
    as_of: date
    percent_complete: float
    actual_cost: float
    manager_rag: Literal["green", "amber", "red"] | None = None
    # The health this report left the project in (added in a later minor: older events lack
    # them), so a consumer keeps the latest figures without waiting for a change of colour.
    rag: Rag | None = None
    reasons: list[Reason] = Field(default_factory=list)
    metrics: HealthMetrics | None = None
    health_version: HealthVersion = None


class HealthChanged(EventPayload):
    """A project's computed RAG changed."""

    project_id: str
    project_name: str
    previous_rag: Rag | None
    rag: Rag
    reasons: list[Reason]
    metrics: HealthMetrics
    as_of: date
    health_version: HealthVersion = None
    # Who notifications tells of the change (added in a later minor: older events lack them).
    manager: str | None = None
    sponsor: str | None = None
    portfolio_id: str | None = None


class ProjectAlertSubject(EventPayload):
    """The project an alerting event is about, and the people notifications tells of it."""

    project_id: str
    project_name: str
    manager: str
    sponsor: str | None = None
    portfolio_id: str | None = None


class ProjectAtRisk(ProjectAlertSubject):
    """A project entered red: its manager and the PMO must hear why."""

    rag: Literal["amber", "red"]
    severity: Literal["warning", "critical"]
    reasons: list[Reason]
    metrics: HealthMetrics
    as_of: date
    health_version: HealthVersion = None


class ProjectRecovered(ProjectAlertSubject):
    """A red project returned to amber or green."""

    previous_rag: Rag
    rag: Rag
    reasons: list[Reason] = Field(default_factory=list)
    metrics: HealthMetrics
    as_of: date
    health_version: HealthVersion = None


class ReportOverdue(ProjectAlertSubject):
    """A project has not reported within its cadence plus grace."""

    last_report_at: date | None
    due_date: date
    days_overdue: int
    period: int = Field(description="Index of the missed reporting period, for de-duplication")


class EarlyWarning(ProjectAlertSubject):
    """A forecast says a threshold will be crossed soon, or the budget needs a miracle.

    Published once per warning episode (per project and metric): from the report that first
    shows the warning until the report that no longer does (`project.early_warning_cleared`).
    """

    code: Literal["trend_warning", "optimism_warning"]
    metric: str = Field(description="The index the warning is about: cpi, spi_t or tcpi")
    forecast_crossing_date: date | None = Field(
        default=None,
        description="When the trend crosses the red threshold; null for the optimism check",
    )
    message: str
    value: float | None = None
    threshold: float | None = None
    as_of: date
    health_version: HealthVersion = None
    # The message in every language the product speaks, by language code (as a Reason's).
    messages: dict[str, str] = Field(default_factory=dict)


class EarlyWarningCleared(ProjectAlertSubject):
    """A warning episode ended: the latest report no longer shows the warning."""

    code: Literal["trend_warning", "optimism_warning"]
    metric: str
    as_of: date
    health_version: HealthVersion = None


class AlertEvent(EventPayload):
    """An alert changed state in notifications."""

    alert_id: str
    project_id: str
    kind: str
    severity: Severity
    status: Literal["open", "acknowledged", "resolved"]
    title: str
    actor: str | None = None


class DeliveryEvent(EventPayload):
    """One attempt to deliver a notification over a channel."""

    delivery_id: str
    alert_id: str | None = None
    project_id: str | None = None
    channel: Literal["email", "webhook", "inbox", "slack", "teams"]
    target: str
    attempt: int
    error: str | None = None


class AlertEscalated(AlertEvent):
    """An unacknowledged alert climbed a level of its escalation policy."""

    level: int = Field(ge=1, description="The level reached, 1 for the policy's first")
    notified: list[str] = Field(description="The e-mail addresses this step notified")
    next_escalation_at: datetime | None = Field(
        default=None, description="When the next step is due; null at the top of the ladder"
    )


class AlertSeverityChanged(AlertEvent):
    """An open alert's severity followed its project's condition (one alert, raised or lowered)."""

    previous_severity: Severity


class PracticeReference(EventPayload):
    """A best-practice library entry suggested to a project in difficulty."""

    id: str
    title: str


class InterventionEvent(ProjectAlertSubject):
    """What every intervention event carries: which case, on which project."""

    intervention_id: str
    owner: str | None = Field(default=None, description="The PMO consultant owning the case")


class InterventionOpened(InterventionEvent):
    """A project entered red and the PMO opened a case to support it."""

    reasons: list[Reason]
    suggested_practices: list[PracticeReference] = Field(default_factory=list)
    opened_at: datetime


class InterventionAssigned(InterventionEvent):
    """A PMO consultant was made the owner of an intervention."""

    assigned_by: str
    assigned_at: datetime


class ExceptionOption(EventPayload):
    """One way out of the exception, with its effect on cost and time."""

    key: str
    description: str
    cost_impact: float
    schedule_impact_days: int


class ExceptionReported(InterventionEvent):
    """The project manager explained the deviation in an exception report (PRINCE2)."""

    title: str
    options: list[ExceptionOption]
    recommendation: str
    reported_by: str
    reported_at: datetime


class ExceptionDecided(InterventionEvent):
    """The portfolio board decided what to do about an exception."""

    outcome: Literal["approve_option", "exception_plan_required", "premature_close"]
    option: str | None = None
    note: str | None = None
    decided_by: str
    decided_at: datetime


class ActionOverdue(InterventionEvent):
    """A recovery action passed its due date without being done."""

    action_id: str
    title: str
    action_owner: str
    due_date: date
    days_overdue: int = Field(ge=0)


class ActionAdded(InterventionEvent):
    """A recovery action was agreed on an intervention."""

    action_id: str
    title: str
    action_owner: str
    due_date: date


class ActionDone(InterventionEvent):
    """A recovery action was marked done."""

    action_id: str
    done_at: datetime


class InterventionClosed(InterventionEvent):
    """An intervention ended: the project recovered, was closed, or the board closed it early."""

    close_reason: Literal["recovered", "project_closed", "premature_close"]
    closed_at: datetime
    lesson_practice_id: str | None = Field(
        default=None, description="The library entry the case's lessons became, if any"
    )


class PortfolioEvent(EventPayload):
    """A portfolio of the registry and the person who manages it."""

    portfolio_id: str
    name: str
    owner: str = Field(description="The portfolio manager's e-mail address")


class PortfolioMembership(EventPayload):
    """A person's role in one portfolio: granted (member_added) or taken back (member_removed).

    The role scopes the person's rights in every service: a `portfolio_manager` member reads,
    decides, silences and approves for the portfolio's projects; a `viewer` member reads them.
    """

    portfolio_id: str
    email: str = Field(description="The member's e-mail address (compared case-insensitively)")
    role: Literal["portfolio_manager", "viewer"]
    changed_by: str = Field(description="Who granted or removed the role")
    changed_at: datetime


class ScenarioCommitted(EventPayload):
    """A portfolio scenario was committed: its requests go to the PMO's decision, best first."""

    scenario_id: str
    portfolio_id: str
    selected: list[str] = Field(description="The chosen request ids, in ranked order")
    total_score: float
    total_cost: float
    budget_cap: float
    committed_by: str


class BaselineSnapshot(EventPayload):
    """One version of a project's baseline: what is under change control."""

    budget: float
    start_date: date
    end_date: date
    milestones: list[Milestone] = Field(default_factory=list)
    planned_value_profile: list[PlannedValuePoint] = Field(
        default_factory=list,
        description="Cumulative planned percentages by date (empty: a straight line)",
    )


class ProjectRebaselined(EventPayload):
    """A project's baseline changed: an approved change request or a PMO admin's direct change
    made a new version of it."""

    project_id: str
    version: int = Field(ge=2, description="The baseline version now in force")
    previous: BaselineSnapshot = Field(description="The baseline this version replaces")
    current: BaselineSnapshot = Field(description="The baseline now in force")
    reason: str = Field(description="Why: the change request's justification, or who changed it")
    changed_fields: list[str] = Field(default_factory=list)
    change_request_id: str | None = Field(
        default=None, description="The approved change request (null for a direct change)"
    )
    changed_by: str = Field(description="Who approved or made the change")
    changed_at: datetime
