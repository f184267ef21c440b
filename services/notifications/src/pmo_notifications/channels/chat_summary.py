"""What a chat message says about one event, whatever the chat (Slack, Teams): a headline, the
condition it is coloured by (always said in words too), a few facts, bullets and a link back.

Built from the CloudEvent alone, so any routable event reads sensibly: the families notifications
knows get their own headline and condition, any other event its catalog summary and fields.
Worded in the reader's language (their subscription's): reasons as monitoring wrote them in it
where it did, figures and dates as the language writes them (channels/chat_words.py). Never
raises: a field missing or of an odd type is left out (routing calls this inside the consumer's
transaction). Grouped deliveries (`pmo.alert.group`) list their alerts.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote, urlencode

from pmo_common.events.catalog import EVENT_CATALOG

from pmo_notifications.channels.chat_text import Capped, capped
from pmo_notifications.channels.chat_words import DECISIONS, Data, EventWords, mapping, mappings
from pmo_notifications.domain.severity import SEVERITIES
from pmo_notifications.domain.wording import (
    N_,
    Wording,
    colour_label,
    labelled,
    severity_word,
    status_word,
)

# A grouped delivery's CloudEvent type (data: portfolio_id, alerts).
ALERT_GROUP = "pmo.alert.group"
# Bullets kept at most (reasons, or a group's alerts); the rest is counted in "and N more".
MAX_BULLETS = 10
MAX_GROUPED_ALERTS = 15
# Facts kept at most, the condition included (Slack shows at most 10 fields in a section).
MAX_FACTS = 10

Tone = Literal["good", "warning", "attention"]


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
    # The condition in words (`RAG: RED`), and `and N more` for bullets left out, as the
    # reader's language writes them.
    condition_text: str
    more: Callable[[int], str]

    @property
    def fallback_text(self) -> str:
        """One line for notifications and clients that show no cards."""
        if self.condition is None:
            return self.headline
        return f"{self.headline} ({self.condition_text})"


_RAG_TONES: dict[str, Tone] = {"red": "attention", "amber": "warning", "green": "good"}
_SEVERITY_TONES: dict[str, Tone] = {"critical": "attention", "warning": "warning"}
_DECISION_TONES: dict[str, Tone] = {
    "approved": "good",
    "conditional": "warning",
    "rejected": "attention",
}
# Fields shown as facts when an event carries them, in this order, with their plain names.
_FACT_FIELDS: tuple[tuple[str, str], ...] = (
    ("previous_rag", N_("Was")),
    ("severity", N_("Severity")),
    ("previous_severity", N_("Was")),
    ("status", N_("Status")),
    ("kind", N_("Alert kind")),
    ("level", N_("Escalation level")),
    ("gate", N_("Gate")),
    ("decision", N_("Decision")),
    ("metric", N_("Metric")),
    ("value", N_("Value")),
    ("threshold", N_("Threshold")),
    ("forecast_crossing_date", N_("Forecast crossing")),
    ("due_date", N_("Due")),
    ("days_overdue", N_("Days overdue")),
    ("last_report_at", N_("Last report")),
    ("action_owner", N_("Action owner")),
    ("manager", N_("Manager")),
    ("as_of", N_("As of")),
    ("actor", N_("By")),
    ("decided_by", N_("Decided by")),
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


def summarize(event_json: str, wording: Wording) -> ChatSummary:
    """The chat message of one CloudEvent (structured JSON), in the reader's language."""
    try:
        event = mapping(json.loads(event_json))
    except ValueError:
        event = {}
    said = EventWords(wording)
    event_type = said.text(event, "type") or "event"
    data = mapping(event.get("data"))
    if event_type == ALERT_GROUP:
        return _group_summary(said, data)
    condition = _condition(said, event_type, data)
    headline = _HEADLINES.get(event_type, _family_headline)(said, event_type, data)
    reasons = [said.reason(reason) for reason in mappings(data.get("reasons"))]
    reasons += [said.reason(finding) for finding in mappings(data.get("findings"))]
    if event_type == "project.early_warning":
        reasons.append(said.reason(data))
    return _summary(
        said.w,
        headline=headline,
        condition=condition,
        facts=_facts(said, event_type, data, condition),
        bullets_heading=wording._("Why"),
        bullets=capped([line for line in reasons if line], MAX_BULLETS),
        link=_link(said, data),
    )


def _condition_said(
    wording: Wording, label: str, value: str, tone: Tone | None, field: str = ""
) -> Condition:
    """A condition whose `label` (marked with N_) is said in the reader's language."""
    return Condition(wording._(label), value, tone, field)


def _summary(wording: Wording, **parts: Any) -> ChatSummary:
    """The summary of `parts`, with its condition and `and N more` in the reader's words."""
    condition = parts["condition"]
    text = labelled(wording, condition.label, condition.value) if condition else ""
    return ChatSummary(**parts, condition_text=text, more=lambda count: and_more(wording, count))


def and_more(wording: Wording, count: int) -> str:
    """`and N more`: the bullets left out of a message."""
    return wording.ngettext("and {count} more", "and {count} more", count).format(count=count)


def _alert_headline(said: EventWords, event_type: str, data: Data) -> str:
    w = said.w
    title = said.text(data, "title") or said.project(data)
    if event_type == "alert.severity_changed":
        severity = severity_word(w, said.text(data, "severity") or "?").upper()
        moved = (
            w._("Alert lowered to {current}: {title}")
            if _lowered(said, data)
            else w._("Alert raised to {current}: {title}")
        )
        return moved.format(current=severity, title=title)
    if event_type == "alert.escalated" and said.text(data, "level"):
        return w._("Alert escalated to level {level}: {title}").format(
            level=said.text(data, "level"), title=title
        )
    verbs = {
        "alert.raised": N_("Alert raised: {title}"),
        "alert.acknowledged": N_("Alert acknowledged: {title}"),
        "alert.resolved": N_("Alert resolved: {title}"),
    }
    if event_type in verbs:
        return w._(verbs[event_type]).format(title=title)
    verb = event_type.removeprefix("alert.").replace("_", " ")
    return w._("Alert {verb}: {title}").format(verb=verb, title=title)


def _lowered(said: EventWords, data: Data) -> bool:
    now = _urgency(said.text(data, "severity"))
    return 0 <= now < _urgency(said.text(data, "previous_severity"))


def _urgency(severity: str) -> int:
    """The rank of a severity, info lowest; -1 for none or an unknown one."""
    return SEVERITIES.index(severity) if severity in SEVERITIES else -1


def _family_headline(said: EventWords, event_type: str, data: Data) -> str:
    """Alerts and requests by their family; any other event by its catalog summary (the
    catalog's English: an event notifications has no words for)."""
    if event_type.startswith("alert."):
        return _alert_headline(said, event_type, data)
    if event_type.startswith("intake.request."):
        status = said.text(data, "status") or event_type.rsplit(".", 1)[-1]
        return said.w._("Request {status}: {title}").format(
            status=said.word(DECISIONS, status), title=said.text(data, "title") or "?"
        )
    spec = EVENT_CATALOG.get(event_type)
    summary = spec.summary if spec is not None else event_type
    if any(key in data for key in ("project_name", "name", "project_id")):
        return labelled(said.w, summary, said.project(data))
    return summary


def _gate_headline(said: EventWords, data: Data) -> str:
    decision = said.text(data, "decision")
    return said.w._("Gate {gate} {decision} for {name}").format(
        gate=said.text(data, "gate") or "?",
        decision=said.word(DECISIONS, decision) if decision else said.w._("decided"),
        name=said.project(data),
    )


_HEADLINES: dict[str, Callable[[EventWords, str, Data], str]] = {
    "project.at_risk": lambda s, _, d: s.w._("{name} is at risk").format(name=s.project(d)),
    "project.recovered": lambda s, _, d: s.w._("{name} has recovered").format(name=s.project(d)),
    "project.health_changed": lambda s, _, d: s.w._("{name} is now {rag}").format(
        name=s.project(d), rag=s.rag(d)
    ),
    "project.report_overdue": lambda s, _, d: s.w._("Status report overdue for {name}").format(
        name=s.project(d)
    ),
    "project.early_warning": lambda s, _, d: s.w._("Early warning for {name}: {metric}").format(
        name=s.project(d), metric=s.metric(d)
    ),
    "project.early_warning_cleared": lambda s, _, d: s.w._(
        "Early warning cleared for {name}: {metric}"
    ).format(name=s.project(d), metric=s.metric(d)),
    "intervention.action_overdue": lambda s, _, d: s.w._(
        "Recovery action overdue: {title} ({name})"
    ).format(title=s.text(d, "title") or "?", name=s.project(d)),
    "project.gate.decided": lambda s, _, d: _gate_headline(s, d),
}


def _condition(said: EventWords, event_type: str, data: Data) -> Condition | None:
    """The project's colour where the event has one, else the alert's state, else the news."""
    w = said.w
    rag = said.text(data, "rag")
    if rag:
        return _condition_said(said.w, N_("RAG"), colour_label(w, rag), _RAG_TONES.get(rag), "rag")
    if event_type.endswith("_cleared"):
        return _condition_said(said.w, N_("Status"), w._("cleared").upper(), "good")
    if said.text(data, "status") == "resolved":
        resolved = status_word(w, "resolved").upper()
        return _condition_said(said.w, N_("Status"), resolved, "good", "status")
    severity = said.text(data, "severity")
    if severity:
        shown = severity_word(w, severity).upper()
        return _condition_said(
            said.w, N_("Severity"), shown, _SEVERITY_TONES.get(severity), "severity"
        )
    if event_type.endswith("_overdue"):
        return _condition_said(said.w, N_("Status"), w._("overdue").upper(), "warning")
    if event_type == "project.early_warning":
        return _condition_said(said.w, N_("Status"), w._("early warning").upper(), "warning")
    for field in ("decision", "status"):
        decision = said.text(data, field)
        if decision in _DECISION_TONES:
            shown = said.word(DECISIONS, decision).upper()
            return _condition_said(said.w, N_("Decision"), shown, _DECISION_TONES[decision], field)
    return None


def _facts(
    said: EventWords, event_type: str, data: Data, condition: Condition | None
) -> tuple[tuple[str, str], ...]:
    w = said.w
    shown = {"rag", condition.field if condition else ""}
    facts = [
        (w._(label), value)
        for key, label in _FACT_FIELDS
        if key not in shown and (value := said.fact(data, key))
    ]
    metrics = mapping(data.get("metrics"))
    facts += [
        (label, _figure(w, key, metrics[key]))
        for key, label in _METRICS
        if _number(metrics.get(key))
    ]
    if event_type not in _HEADLINES and not event_type.startswith("alert."):
        # An event this module has no words for: its other plain fields, as the e-mail lists them.
        known = {key for key, _ in _FACT_FIELDS} | shown
        facts += [
            (key.replace("_", " ").capitalize(), value)
            for key in data
            if key not in known and not key.endswith("_id") and (value := said.text(data, key))
        ]
    room = MAX_FACTS - (condition is not None)
    return tuple(facts[:room])


def _link(said: EventWords, data: Data) -> Link | None:
    alert_id = said.text(data, "alert_id")
    if alert_id:
        return Link(f"/v1/alerts/{quote(alert_id, safe='')}", said.w._("Open the alert"))
    project_id = said.text(data, "project_id")
    if project_id:
        return Link(
            f"/v1/alerts?{urlencode({'project_id': project_id})}",
            said.w._("Open the project's alerts"),
        )
    return None


def _group_summary(said: EventWords, data: Data) -> ChatSummary:
    w = said.w
    # The most urgent first, so that those left out of a long list are the least urgent.
    alerts = sorted(
        mappings(data.get("alerts")), key=lambda alert: -_urgency(said.text(alert, "severity"))
    )
    portfolio = (
        said.text(data, "portfolio_name") or said.text(data, "portfolio_id") or w._("no portfolio")
    )
    severities = [said.text(alert, "severity") for alert in alerts]
    worst = severities[0] if alerts and _urgency(severities[0]) >= 0 else None
    facts = [(w._("Portfolio"), portfolio), (w._("Alerts"), w.number(len(alerts)))]
    facts += [
        (severity_word(w, level).capitalize(), w.number(severities.count(level)))
        for level in ("critical", "warning")
        if level in severities
    ]
    condition = (
        _condition_said(
            said.w, N_("Severity"), severity_word(w, worst).upper(), _SEVERITY_TONES.get(worst)
        )
        if worst
        else None
    )
    return _summary(
        said.w,
        headline=w.ngettext(
            "{count} alert in portfolio {portfolio}",
            "{count} alerts in portfolio {portfolio}",
            len(alerts),
        ).format(count=len(alerts), portfolio=portfolio),
        condition=condition,
        facts=tuple(facts),
        bullets_heading=w._("Alerts"),
        bullets=capped([_alert_line(said, alert) for alert in alerts], MAX_GROUPED_ALERTS),
        link=Link("/v1/alerts?status=open", w._("Open the open alerts")),
    )


def _alert_line(said: EventWords, alert: Data) -> str:
    w = said.w
    severity = said.text(alert, "severity")
    label = severity_word(w, severity).upper() if severity else w._("alert").upper()
    title = said.text(alert, "title") or said.fact(alert, "kind") or w._("alert")
    project = said.text(alert, "project_name")
    where = f" ({project})" if project and project not in title else ""
    status = said.text(alert, "status")
    state = f" [{status_word(w, status)}]" if status and status != "open" else ""
    return labelled(w, label, f"{title}{where}{state}")


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _figure(wording: Wording, key: str, value: float) -> str:
    if key in _RATIOS:
        return wording.index(value)
    return wording.money(value, None)
