"""Which consumed event type each handler applies."""

from __future__ import annotations

from pmo_common.messaging.event_applier import EventHandler

from pmo_standards.handlers.project_events import (
    on_project_closed,
    on_project_created,
    on_project_updated,
)

HANDLERS: dict[str, EventHandler] = {
    "project.created": on_project_created,
    "project.updated": on_project_updated,
    "project.closed": on_project_closed,
}
