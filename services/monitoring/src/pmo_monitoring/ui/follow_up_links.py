"""Links from a project's page to its open alert (notifications) and intervention (standards).

HOOK, not yet wired: monitoring hears of neither today. Their ids travel in notifications'
`alert.*` and standards' `intervention.*` events, which monitoring does not consume; keeping a
projection of them (a consumer, a table, a migration) is a change of its own. Until then
`follow_up_links` answers no links and the page shows none. To wire it: store the open alert
and intervention id per project from those events, look them up here, and set the base URLs
of the two services' pages or APIs (e.g. a PMO_MONITORING_UI_LINK_BASE_URL setting).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FollowUpLinks:
    """Where to follow a project up: its open alert and intervention (None: none known)."""

    alert_url: str | None = None
    intervention_url: str | None = None

    @property
    def any(self) -> bool:
        """Whether there is a link to show."""
        return self.alert_url is not None or self.intervention_url is not None


def follow_up_links(project_id: str) -> FollowUpLinks:
    """The project's follow-up links; none until monitoring hears of alerts and interventions."""
    del project_id  # the hook's key, once the ids are kept
    return FollowUpLinks()
