"""The events standards consumes and the handler that applies each."""

from __future__ import annotations

from pmo_common.events.catalog import (
    PORTFOLIO_MEMBER_ADDED,
    PORTFOLIO_MEMBER_REMOVED,
    PROJECT_AT_RISK,
    PROJECT_CLOSED,
    PROJECT_CREATED,
    PROJECT_RECOVERED,
    PROJECT_UPDATED,
)
from pmo_common.messaging.consumed_events import ConsumedEvents

from pmo_standards.handlers.at_risk_events import on_project_at_risk, on_project_recovered
from pmo_standards.handlers.portfolio_members import on_member_added, on_member_removed
from pmo_standards.handlers.project_events import on_project_closed, on_project_snapshot

CONSUMED = (
    ConsumedEvents()
    .add(PROJECT_CREATED, on_project_snapshot)
    .add(PROJECT_UPDATED, on_project_snapshot)
    .add(PROJECT_CLOSED, on_project_closed)
    .add(PROJECT_AT_RISK, on_project_at_risk)
    .add(PROJECT_RECOVERED, on_project_recovered)
    .add(PORTFOLIO_MEMBER_ADDED, on_member_added)
    .add(PORTFOLIO_MEMBER_REMOVED, on_member_removed)
)
