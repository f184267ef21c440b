"""The map from consumed event type to its handler."""

from __future__ import annotations

from pmo_common.messaging.event_applier import EventHandler

from pmo_notifications.handlers.health_signal_handlers import (
    on_project_at_risk,
    on_project_recovered,
    on_report_overdue,
)
from pmo_notifications.handlers.registry_handlers import (
    on_gate_decided,
    on_project_closed,
    on_project_registered,
    on_request_event,
)

HANDLERS: dict[str, EventHandler] = {
    "project.created": on_project_registered,
    "project.updated": on_project_registered,
    "project.closed": on_project_closed,
    "project.at_risk": on_project_at_risk,
    "project.recovered": on_project_recovered,
    "project.report_overdue": on_report_overdue,
    "project.gate.decided": on_gate_decided,
    "intake.request.submitted": on_request_event,
    "intake.request.approved": on_request_event,
    "intake.request.rejected": on_request_event,
}
