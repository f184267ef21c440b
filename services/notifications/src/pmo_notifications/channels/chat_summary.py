"""What a chat message says about one event, whatever the chat (Slack, Teams): a headline, the
condition it is coloured by (always said in words too), a few facts, bullets and a link back.

Built from the CloudEvent alone, so any routable event reads sensibly: the families notifications
knows get their own headline and condition, any other event its catalog summary and fields.
Never raises: a field missing or of an odd type is left out (routing calls this inside the
consumer's transaction). Grouped deliveries (`pmo.alert.group`) list their alerts.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote, urlencode

from pmo_common.events.catalog import EVENT_CATALOG

from pmo_notifications.channels.chat_text import Capped, capped
from pmo_notifications.domain.severity import SEVERITIES

# A grouped delivery's CloudEvent type (data: portfolio_id, alerts).
ALERT_GROUP = "pmo.alert.group"
# Bullets kept at most (reasons, or a group's alerts); the rest is counted in "and N more".
MAX_BULLETS = 10
MAX_GROUPED_ALERTS = 15
# Facts kept at most, the condition included (Slack shows at most 10 fields in a section).
MAX_FACTS = 10

Tone = Literal["good", "warning", "attention"]
Data = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Condition:
    """What the message is coloured by, in words: `RAG: RED`, `Severity: CRITICAL`."""

    label: str
    value: str
    tone: Tone | None
    # The data field it shows, not repeated among the facts.
    field: str = ""


@dataclass(frozen=True, slots=True)
class Link:
    """Where the message leads back to, relative to PMO_NOTIFICATIONS_PUBLIC_URL."""

    path: str
    title: str


@dataclass(frozen=True, slots=True)
class ChatSummary:
    """One event as a chat message tells it."""

    headline: str
    condition: Condition | None
    facts: tuple[tuple[str, str], ...]
    bullets_heading: str
    bullets: Capped
    link: Link | None

    @property
    def fallback_text(self) -> str:
        """One line for notifications and clients that show no cards."""
        if self.condition is None:
            return self.headline
        return f"{self.headline} ({self.condition.label}: {self.condition.value})"


_RAG_TONES: dict[str, Tone] = {"red": "attention", "amber": "warning", "green": "good"}
_SEVERITY_TONES: dict[str, Tone] = {"critical": "attention", "warning": "warning"}
_DECISION_TONES: dict[str, Tone] = {
    "approved": "good",
    "conditional": "warning",
    "rejected": "attention",
}
# Fields shown as facts when an event carries them, in this order, with their plain names.
_FACT_FIELDS: tuple[tuple[str, str], ...] = (
    ("previous_rag", "Was"),
    ("severity", "Severity"),
    ("previous_severity", "Was"),
    ("status", "Status"),
    ("kind", "Alert kind"),
    ("level", "Escalation level"),
    ("gate", "Gate"),
    ("decision", "Decision"),
    ("metric", "Metric"),
    ("value", "Value"),
    ("threshold", "Threshold"),
    ("forecast_crossing_date", "Forecast crossing"),
    ("due_date", "Due"),
    ("days_overdue", "Days overdue"),
    ("last_report_at", "Last report"),
    ("action_owner", "Action owner"),
    ("manager", "Manager"),
    ("as_of", "As of"),
    ("actor", "By"),
    ("decided_by", "Decided by"),
)
_METRICS: tuple[tuple[str, str], ...] = (
    ("cpi", "CPI"),
    ("spi", "SPI"),
    ("spi_t", "SPI(t)"),
    ("tcpi", "TCPI"),
    ("eac", "EAC"),
    ("bac", "BAC"),
)
_RATIOS = frozenset({"cpi", "spi", "spi_t", "tcpi"})
# Fields naming a colour or a severity, written in capitals as the condition is.
_STATES = frozenset({"previous_rag", "severity", "previous_severity"})


def summarize(event_json: str) -> ChatSummary:
    """The chat message of one CloudEvent (structured JSON)."""
    try:
        event = _mapping(json.loads(event_json))
    except ValueError:
        event = {}
    event_type = _text(event, "type") or "event"
    data = _mapping(event.get("data"))
    if event_type == ALERT_GROUP:
        return _group_summary(data)
    condition = _condition(event_type, data)
    headline = _HEADLINES.get(event_type, _family_headline)(event_type, data)
    reasons = [_text(reason, "message") for reason in _mappings(data.get("reasons"))]
    reasons += [_text(finding, "message") for finding in _mappings(data.get("findings"))]
    if event_type == "project.early_warning":
        reasons.append(_text(data, "message"))
    return ChatSummary(
        headline=headline,
        condition=condition,
        facts=_facts(event_type, data, condition),
        bullets_heading="Why",
        bullets=capped([line for line in reasons if line], MAX_BULLETS),
        link=_link(data),
    )


def _project(data: Data) -> str:
    return (
        _text(data, "project_name")
        or _text(data, "name")
        or _text(data, "project_id")
        or "a project"
    )


def _rag(data: Data) -> str:
    return (_text(data, "rag") or "unknown").upper()


def _alert_headline(event_type: str, data: Data) -> str:
    title = _text(data, "title") or _project(data)
    verb = event_type.removeprefix("alert.").replace("_", " ")
    if event_type == "alert.severity_changed":
        severity = (_text(data, "severity") or "?").upper()
        verb = f"{_direction(data)} to {severity}"
    elif event_type == "alert.escalated" and _text(data, "level"):
        verb = f"escalated to level {_text(data, 'level')}"
    return f"Alert {verb}: {title}"


def _direction(data: Data) -> str:
    now, was = _urgency(_text(data, "severity")), _urgency(_text(data, "previous_severity"))
    return "lowered" if 0 <= now < was else "raised"


def _urgency(severity: str) -> int:
    """The rank of a severity, info lowest; -1 for none or an unknown one."""
    return SEVERITIES.index(severity) if severity in SEVERITIES else -1


def _family_headline(event_type: str, data: Data) -> str:
    """Alerts and requests by their family; any other event by its catalog summary."""
    if event_type.startswith("alert."):
        return _alert_headline(event_type, data)
    if event_type.startswith("intake.request."):
        status = _text(data, "status") or event_type.rsplit(".", 1)[-1]
        return f"Request {status.replace('_', ' ')}: {_text(data, 'title') or '?'}"
    spec = EVENT_CATALOG.get(event_type)
    summary = spec.summary if spec is not None else event_type
    if any(key in data for key in ("project_name", "name", "project_id")):
        return f"{summary}: {_project(data)}"
    return summary


_HEADLINES: dict[str, Callable[[str, Data], str]] = {
    "project.at_risk": lambda _, d: f"{_project(d)} is at risk",
    "project.recovered": lambda _, d: f"{_project(d)} has recovered",
    "project.health_changed": lambda _, d: f"{_project(d)} is now {_rag(d)}",
    "project.report_overdue": lambda _, d: f"Status report overdue for {_project(d)}",
    "project.early_warning": lambda _, d: (
        f"Early warning for {_project(d)}: {(_text(d, 'metric') or '?').upper()}"
    ),
    "project.early_warning_cleared": lambda _, d: (
        f"Early warning cleared for {_project(d)}: {(_text(d, 'metric') or '?').upper()}"
    ),
    "intervention.action_overdue": lambda _, d: (
        f"Recovery action overdue: {_text(d, 'title') or '?'} ({_project(d)})"
    ),
    "project.gate.decided": lambda _, d: (
        f"Gate {_text(d, 'gate') or '?'} {_text(d, 'decision') or 'decided'} for {_project(d)}"
    ),
}


def _condition(event_type: str, data: Data) -> Condition | None:
    """The project's colour where the event has one, else the alert's state, else the news."""
    rag = _text(data, "rag")
    if rag:
        return Condition("RAG", rag.upper(), _RAG_TONES.get(rag), "rag")
    if event_type.endswith("_cleared"):
        return Condition("Status", "CLEARED", "good")
    if _text(data, "status") == "resolved":
        return Condition("Status", "RESOLVED", "good", "status")
    severity = _text(data, "severity")
    if severity:
        return Condition("Severity", severity.upper(), _SEVERITY_TONES.get(severity), "severity")
    if event_type.endswith("_overdue"):
        return Condition("Status", "OVERDUE", "warning")
    if event_type == "project.early_warning":
        return Condition("Status", "EARLY WARNING", "warning")
    for field in ("decision", "status"):
        decision = _text(data, field)
        if decision in _DECISION_TONES:
            return Condition("Decision", decision.upper(), _DECISION_TONES[decision], field)
    return None


def _facts(event_type: str, data: Data, condition: Condition | None) -> tuple[tuple[str, str], ...]:
    shown = {"rag", condition.field if condition else ""}
    facts = [
        (label, value.upper() if key in _STATES else value)
        for key, label in _FACT_FIELDS
        if key not in shown and (value := _text(data, key))
    ]
    metrics = _mapping(data.get("metrics"))
    facts += [
        (label, _figure(key, metrics[key])) for key, label in _METRICS if _number(metrics.get(key))
    ]
    if event_type not in _HEADLINES and not event_type.startswith("alert."):
        # An event this module has no words for: its other plain fields, as the e-mail lists them.
        known = {key for key, _ in _FACT_FIELDS} | shown
        facts += [
            (key.replace("_", " ").capitalize(), value)
            for key in data
            if key not in known and not key.endswith("_id") and (value := _text(data, key))
        ]
    room = MAX_FACTS - (condition is not None)
    return tuple(facts[:room])


def _link(data: Data) -> Link | None:
    alert_id = _text(data, "alert_id")
    if alert_id:
        return Link(f"/v1/alerts/{quote(alert_id, safe='')}", "Open the alert")
    project_id = _text(data, "project_id")
    if project_id:
        return Link(
            f"/v1/alerts?{urlencode({'project_id': project_id})}", "Open the project's alerts"
        )
    return None


def _group_summary(data: Data) -> ChatSummary:
    # The most urgent first, so that those left out of a long list are the least urgent.
    alerts = sorted(
        _mappings(data.get("alerts")), key=lambda alert: -_urgency(_text(alert, "severity"))
    )
    portfolio = _text(data, "portfolio_name") or _text(data, "portfolio_id") or "no portfolio"
    counted = "1 alert" if len(alerts) == 1 else f"{len(alerts)} alerts"
    severities = [_text(alert, "severity") for alert in alerts]
    worst = severities[0] if alerts and _urgency(severities[0]) >= 0 else None
    facts = [("Portfolio", portfolio), ("Alerts", str(len(alerts)))]
    facts += [
        (level.capitalize(), str(severities.count(level)))
        for level in ("critical", "warning")
        if level in severities
    ]
    return ChatSummary(
        headline=f"{counted} in portfolio {portfolio}",
        condition=Condition("Severity", worst.upper(), _SEVERITY_TONES.get(worst))
        if worst
        else None,
        facts=tuple(facts),
        bullets_heading="Alerts",
        bullets=capped([_alert_line(alert) for alert in alerts], MAX_GROUPED_ALERTS),
        link=Link("/v1/alerts?status=open", "Open the open alerts"),
    )


def _alert_line(alert: Data) -> str:
    severity = (_text(alert, "severity") or "alert").upper()
    title = _text(alert, "title") or _text(alert, "kind") or "alert"
    project = _text(alert, "project_name")
    where = f" ({project})" if project and project not in title else ""
    status = _text(alert, "status")
    state = f" [{status}]" if status and status != "open" else ""
    return f"{severity}: {title}{where}{state}"


def _mapping(value: object) -> Data:
    return value if isinstance(value, Mapping) else {}


def _mappings(value: object) -> list[Data]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text(data: Data, key: str) -> str:
    """A plain field as text ("" when absent, null or not a plain value)."""
    value = data.get(key)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, str | int):
        return str(value).strip()
    return ""


def _figure(key: str, value: float) -> str:
    return f"{value:.2f}" if key in _RATIOS else f"{value:,.0f}"
