"""What a grouped delivery says: the `pmo.alert.group` CloudEvent's data, and the one summary
e-mail a grouped e-mail subscription receives (ADR 0017)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from pmo_notifications.domain.email_composition import SUBJECT_PREFIX, ComposedEmail
from pmo_notifications.domain.severity import SEVERITIES, severity_rank
from pmo_notifications.domain.wording import Wording, severity_word

GROUP_EVENT_TYPE = "pmo.alert.group"
GROUP_EVENT_SOURCE = "/pmo/notifications"
# Events in one grouped delivery at most; more go in the group's next delivery.
MAX_ALERTS_PER_GROUP = 500


@dataclass(frozen=True, slots=True)
class GroupedAlert:
    """One event of a group, as `data.alerts[]` of the group's CloudEvent lists it."""

    event_id: str
    type: str
    time: str
    project_id: str | None
    project_name: str | None
    alert_id: str | None
    severity: str
    # The alert's title when the event is about an alert, else the event's one-line summary.
    title: str
    # The event's own CloudEvent data, as a subscriber of the single event would receive it.
    data: Mapping[str, Any]

    def to_json(self) -> str:
        """The entry as stored while the group waits (a grouped delivery row's payload)."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, stored: str) -> GroupedAlert:
        """The entry stored by `to_json`."""
        return cls(**json.loads(stored))

    def named(self, project_name: str | None) -> GroupedAlert:
        """The entry with the project's name, when the event itself did not carry one."""
        if self.project_name is not None or project_name is None:
            return self
        return replace(self, project_name=project_name)


def event_title(data: Mapping[str, Any], summary: Callable[[], str]) -> str:
    """An event's title in a group: an alert's own title, else the e-mail subject summarising
    the event (without the subject's prefix; composed only when needed)."""
    title = data.get("title")
    if isinstance(title, str) and title.strip():
        return title
    return summary().removeprefix(SUBJECT_PREFIX).strip()


def event_project_name(data: Mapping[str, Any]) -> str | None:
    """The project's name when the event carries it (`project_name`, or a snapshot's `name`)."""
    for key in ("project_name", "name"):
        value = data.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def group_data(portfolio_id: str | None, alerts: Sequence[GroupedAlert]) -> dict[str, Any]:
    """The data of a `pmo.alert.group` CloudEvent."""
    return {"portfolio_id": portfolio_id, "alerts": [asdict(alert) for alert in alerts]}


def compose_group_email(
    wording: Wording, portfolio_id: str | None, alerts: Sequence[GroupedAlert]
) -> ComposedEmail:
    """The one e-mail listing a group's events, most urgent first, each on its own line."""
    w = wording
    count = w.ngettext("{count} notification", "{count} notifications", len(alerts)).format(
        count=len(alerts)
    )
    heading = (
        w._("{count} for portfolio {portfolio}").format(count=count, portfolio=portfolio_id)
        if portfolio_id
        else w._("{count} for projects outside any portfolio").format(count=count)
    )
    ordered = sorted(alerts, key=lambda alert: (-_urgency(alert.severity), alert.time))
    lines = [
        f"  - [{severity_word(w, alert.severity)}] {_project_label(alert)}{alert.title} "
        f"({alert.type})"
        for alert in ordered
    ]
    body = "\n".join(
        [
            w._("Hello,"),
            "",
            w._("{heading}, sent together as your subscription groups them:").format(
                heading=heading
            ),
            "",
            *lines,
            "",
            w._("Each alert is in GET /v1/alerts; GET /v1/deliveries lists these as `grouped`."),
            "--",
            w._("Sent by the PMO notifications service."),
        ]
    )
    return ComposedEmail(f"{SUBJECT_PREFIX} {heading}", body + "\n")


def _project_label(alert: GroupedAlert) -> str:
    name = alert.project_name or alert.project_id
    return f"{name}: " if name and name not in alert.title else ""


def _urgency(severity: str) -> int:
    return severity_rank(severity) if severity in SEVERITIES else 0
