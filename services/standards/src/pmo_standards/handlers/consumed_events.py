"""The events standards consumes and the handler that applies each."""

from __future__ import annotations

from pmo_common.events.catalog import PROJECT_CLOSED, PROJECT_CREATED, PROJECT_UPDATED
from pmo_common.messaging.consumed_events import ConsumedEvents

from pmo_standards.handlers.project_events import on_project_closed, on_project_snapshot

CONSUMED = (
    ConsumedEvents()
    .add(PROJECT_CREATED, on_project_snapshot)
    .add(PROJECT_UPDATED, on_project_snapshot)
    .add(PROJECT_CLOSED, on_project_closed)
)
