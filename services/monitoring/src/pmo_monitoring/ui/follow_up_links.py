"""Links from a project's page to its open alerts (notifications) and interventions (standards).

Monitoring learns their ids from `alert.raised` / `alert.resolved` and `intervention.opened` /
`intervention.closed` (handlers/follow_up_events.py). A link goes to the owning service's API
under its base URL (PMO_MONITORING_NOTIFICATIONS_URL, PMO_MONITORING_STANDARDS_URL, behind the
same auth proxy as the view); without that setting the page shows the id as text, no link.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends
from pmo_common.web.app_factory import RuntimeDep
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.config import MonitoringSettings
from pmo_monitoring.domain.follow_ups import ALERT, INTERVENTION, FollowUpKind
from pmo_monitoring.handlers.follow_up_queries import FollowUp, open_follow_ups


@dataclass(frozen=True, slots=True)
class FollowUpAddresses:
    """Where alerts and interventions are read: the two services' base URLs (None: unset)."""

    notifications_url: str | None = None
    standards_url: str | None = None

    def url_of(self, follow_up: FollowUp) -> str | None:
        """The follow-up's address in its service's API, when that service's URL is set."""
        if follow_up.kind == ALERT:
            base, path = self.notifications_url, "/v1/alerts/"
        else:
            base, path = self.standards_url, "/v1/interventions/"
        if base is None:
            return None
        # The id came through an event: quoted whole, it stays one path segment whatever it holds.
        return f"{base}{path}{quote(follow_up.item_id, safe='')}"


def follow_up_addresses(runtime: RuntimeDep) -> FollowUpAddresses:
    """The addresses the running app's settings give (a route dependency)."""
    settings = runtime.settings
    if not isinstance(settings, MonitoringSettings):
        return FollowUpAddresses()
    return FollowUpAddresses(settings.notifications_url, settings.standards_url)


FollowUpAddressesDep = Annotated[FollowUpAddresses, Depends(follow_up_addresses)]


@dataclass(frozen=True, slots=True)
class FollowUpLink:
    """One open alert or intervention: its id, an alert's title, and its URL if known."""

    item_id: str
    title: str | None
    url: str | None


@dataclass(frozen=True, slots=True)
class FollowUpLinks:
    """Where to follow a project up: its open alerts and interventions, first opened first."""

    alerts: tuple[FollowUpLink, ...] = ()
    interventions: tuple[FollowUpLink, ...] = ()

    @property
    def any(self) -> bool:
        """Whether there is a follow-up to show."""
        return bool(self.alerts or self.interventions)

    @property
    def alert_url(self) -> str | None:
        """The first open alert's URL (None: no alert, or no notifications URL set)."""
        return next((alert.url for alert in self.alerts), None)

    @property
    def intervention_url(self) -> str | None:
        """The first open intervention's URL (None: none, or no standards URL set)."""
        return next((case.url for case in self.interventions), None)


async def project_follow_ups(
    session: AsyncSession, project_id: str, addresses: FollowUpAddresses
) -> FollowUpLinks:
    """The project's open alerts and interventions, linked where their service's URL is set."""
    found = await open_follow_ups(session, project_id=project_id)

    def links(kind: FollowUpKind) -> tuple[FollowUpLink, ...]:
        return tuple(
            FollowUpLink(item.item_id, item.title, addresses.url_of(item))
            for item in found
            if item.kind == kind
        )

    return FollowUpLinks(alerts=links(ALERT), interventions=links(INTERVENTION))
