"""Every event notifications consumes, and the handler of each."""

from __future__ import annotations

from pmo_common.events.catalog import (
    ACTION_ADDED,
    ACTION_DONE,
    ACTION_OVERDUE,
    EARLY_WARNING,
    EARLY_WARNING_CLEARED,
    GATE_DECIDED,
    HEALTH_CHANGED,
    INTERVENTION_ASSIGNED,
    INTERVENTION_CLOSED,
    INTERVENTION_OPENED,
    PORTFOLIO_CREATED,
    PORTFOLIO_MEMBER_ADDED,
    PORTFOLIO_MEMBER_REMOVED,
    PROJECT_AT_RISK,
    PROJECT_CLOSED,
    PROJECT_CREATED,
    PROJECT_RECOVERED,
    PROJECT_UPDATED,
    REPORT_OVERDUE,
    REQUEST_APPROVED,
    REQUEST_REJECTED,
    REQUEST_SUBMITTED,
    STATUS_REPORTED,
)
from pmo_common.messaging.consumed_events import ConsumedEvents

from pmo_notifications.handlers.digest_events import (
    on_action_added,
    on_action_done,
    on_portfolio_created,
)
from pmo_notifications.handlers.early_warning_events import (
    on_early_warning,
    on_early_warning_cleared,
)
from pmo_notifications.handlers.gate_events import on_gate_decided
from pmo_notifications.handlers.intervention_events import (
    on_action_overdue,
    on_intervention_assigned,
    on_intervention_closed,
    on_intervention_opened,
)
from pmo_notifications.handlers.overdue_alerts import on_report_overdue, on_status_reported
from pmo_notifications.handlers.portfolio_members import on_member_added, on_member_removed
from pmo_notifications.handlers.project_health_events import (
    on_health_changed,
    on_project_at_risk,
    on_project_recovered,
)
from pmo_notifications.handlers.project_registry_events import (
    on_project_closed,
    on_project_created,
    on_project_updated,
)
from pmo_notifications.handlers.request_events import (
    on_request_approved,
    on_request_rejected,
    on_request_submitted,
)

CONSUMED = (
    ConsumedEvents()
    .add(PROJECT_CREATED, on_project_created)
    .add(PROJECT_UPDATED, on_project_updated)
    .add(PROJECT_CLOSED, on_project_closed)
    .add(PROJECT_AT_RISK, on_project_at_risk)
    .add(PROJECT_RECOVERED, on_project_recovered)
    .add(REPORT_OVERDUE, on_report_overdue)
    .add(HEALTH_CHANGED, on_health_changed)
    .add(STATUS_REPORTED, on_status_reported)
    .add(EARLY_WARNING, on_early_warning)
    .add(EARLY_WARNING_CLEARED, on_early_warning_cleared)
    .add(GATE_DECIDED, on_gate_decided)
    .add(REQUEST_SUBMITTED, on_request_submitted)
    .add(REQUEST_APPROVED, on_request_approved)
    .add(REQUEST_REJECTED, on_request_rejected)
    .add(INTERVENTION_OPENED, on_intervention_opened)
    .add(INTERVENTION_ASSIGNED, on_intervention_assigned)
    .add(INTERVENTION_CLOSED, on_intervention_closed)
    .add(ACTION_OVERDUE, on_action_overdue)
    .add(ACTION_ADDED, on_action_added)
    .add(ACTION_DONE, on_action_done)
    .add(PORTFOLIO_CREATED, on_portfolio_created)
    .add(PORTFOLIO_MEMBER_ADDED, on_member_added)
    .add(PORTFOLIO_MEMBER_REMOVED, on_member_removed)
)
