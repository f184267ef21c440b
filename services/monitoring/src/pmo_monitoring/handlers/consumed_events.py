"""The one list of what monitoring consumes: intake's registry, standards' publications and
interventions, notifications' alerts."""

from __future__ import annotations

from pmo_common.events.catalog import (
    ALERT_RAISED,
    ALERT_RESOLVED,
    COMPLIANCE_EVALUATED,
    INTERVENTION_CLOSED,
    INTERVENTION_OPENED,
    METHODOLOGY_PUBLISHED,
    PORTFOLIO_MEMBER_ADDED,
    PORTFOLIO_MEMBER_REMOVED,
    PROJECT_CLOSED,
    PROJECT_CREATED,
    PROJECT_REBASELINED,
    PROJECT_UPDATED,
)
from pmo_common.messaging.consumed_events import ConsumedEvents

from pmo_monitoring.handlers.baseline_events import on_project_rebaselined
from pmo_monitoring.handlers.compliance_events import on_compliance_evaluated
from pmo_monitoring.handlers.follow_up_events import (
    on_alert_raised,
    on_alert_resolved,
    on_intervention_closed,
    on_intervention_opened,
)
from pmo_monitoring.handlers.methodology_events import on_methodology_published
from pmo_monitoring.handlers.portfolio_members import on_member_added, on_member_removed
from pmo_monitoring.handlers.project_events import (
    on_project_closed,
    on_project_created,
    on_project_updated,
)

CONSUMED = (
    ConsumedEvents()
    .add(PROJECT_CREATED, on_project_created)
    .add(PROJECT_UPDATED, on_project_updated)
    .add(PROJECT_CLOSED, on_project_closed)
    .add(PROJECT_REBASELINED, on_project_rebaselined)
    .add(METHODOLOGY_PUBLISHED, on_methodology_published)
    .add(COMPLIANCE_EVALUATED, on_compliance_evaluated)
    .add(ALERT_RAISED, on_alert_raised)
    .add(ALERT_RESOLVED, on_alert_resolved)
    .add(INTERVENTION_OPENED, on_intervention_opened)
    .add(INTERVENTION_CLOSED, on_intervention_closed)
    .add(PORTFOLIO_MEMBER_ADDED, on_member_added)
    .add(PORTFOLIO_MEMBER_REMOVED, on_member_removed)
)
