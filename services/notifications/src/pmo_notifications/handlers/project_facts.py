"""What a consumed event tells about a project, as the projection records it."""

from __future__ import annotations

from pmo_common.events.payloads import (
    ActionDone,
    ActionOverdue,
    EarlyWarning,
    EarlyWarningCleared,
    ProjectAtRisk,
    ProjectRecovered,
    ProjectSnapshot,
    ReportOverdue,
)

from pmo_notifications.domain.project_projection import ACTIVE, SIGNALLED_VERSION, ProjectRecord

# Monitoring's signals about a project's health; each names the project and who leads it.
HealthSignal = ProjectAtRisk | ProjectRecovered | ReportOverdue
# Every consumed event that may open, change or resolve an alert: each names the project and
# who leads it.
AlertSubject = HealthSignal | EarlyWarning | EarlyWarningCleared | ActionOverdue | ActionDone


def project_told_by(payload: ProjectSnapshot | AlertSubject) -> ProjectRecord:
    """The project as the event describes it.

    Intake's snapshots carry the registry's status and version. Monitoring's signals carry
    neither: a project first heard of through one counts as active at `SIGNALLED_VERSION`, so any
    version from intake wins over it.
    """
    if isinstance(payload, ProjectSnapshot):
        name, status, version = payload.name, payload.status, payload.version
        currency: str | None = payload.currency
    else:
        name, status, version = payload.project_name, ACTIVE, SIGNALLED_VERSION
        currency = None
    return ProjectRecord(
        id=payload.project_id,
        name=name,
        manager=payload.manager,
        sponsor=payload.sponsor,
        portfolio_id=payload.portfolio_id,
        status=status,
        version=version,
        currency=currency,
    )
