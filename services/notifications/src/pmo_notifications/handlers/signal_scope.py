"""The project a signal is about, as recorded, and the portfolios its deliveries are routed in.

Monitoring's health signals and standards' overdue actions each name the project and who leads
it; whichever arrives before intake's project.created records the project as the signal tells it.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.db.projection_repository import SignalledProject, record_signalled_project
from pmo_notifications.domain.project_projection import HealthSignalStamp, ProjectRecord
from pmo_notifications.handlers.notification_routing import Notifier
from pmo_notifications.handlers.project_facts import AlertSubject, project_told_by


async def record_signal_project(
    session: AsyncSession, signal: AlertSubject, *, stamp: HealthSignalStamp | None = None
) -> SignalledProject:
    """The signalled project as known (recorded from the signal when first heard of here)."""
    # Intake's registry is the authority on ownership; the signal's own fields fill the gap
    # until intake's project.created arrives.
    return await record_signalled_project(session, project=project_told_by(signal), signal=stamp)


def routing_portfolio(project: ProjectRecord, signal: AlertSubject) -> str | None:
    """The portfolio a signal is routed in: the projection's when it knows one, else the
    signal's."""
    return project.portfolio_id if project.portfolio_id is not None else signal.portfolio_id


async def signal_notifier(
    session: AsyncSession, project: ProjectRecord, signal: AlertSubject
) -> Notifier:
    """The notifier of a signal and the alert.* events it causes: those are routed in the
    projection's portfolio, the signal itself in `routing_portfolio`."""
    return await Notifier.for_project(
        session,
        project_id=signal.project_id,
        portfolio_ids=[project.portfolio_id, routing_portfolio(project, signal)],
    )
