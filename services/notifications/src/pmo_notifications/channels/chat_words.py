"""An event's fields as a chat message says them in the reader's language: colours, severities,
statuses and decisions in words, dates and figures as the language writes them, reasons as their
author wrote them in that language. Every reading tolerates odd data (routing calls it inside the
consumer's transaction)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from pmo_notifications.domain.wording import (
    N_,
    Wording,
    colour_label,
    quoted,
    severity_word,
    status_word,
)

Data = Mapping[str, Any]

# Words of the values events carry (a gate's decision, a request's status, an alert's kind).
DECISIONS = {
    "approved": N_("approved"),
    "conditional": N_("conditional"),
    "rejected": N_("rejected"),
    "submitted": N_("submitted"),
}
KINDS = {
    "at_risk": N_("at risk"),
    "early_warning": N_("early warning"),
    "report_overdue": N_("status report overdue"),
    "action_overdue": N_("recovery action overdue"),
}
_DATES = frozenset({"forecast_crossing_date", "due_date", "last_report_at", "as_of"})


@dataclass(frozen=True, slots=True)
class EventWords:
    """An event's fields as the reader's language says them (never raising on odd data)."""

    w: Wording

    def text(self, data: Data, key: str) -> str:
        """A plain field as text ("" when absent, null or not a plain value)."""
        value = data.get(key)
        if isinstance(value, bool):
            return self.w._("yes") if value else self.w._("no")
        if isinstance(value, float):
            return self.w.number(value)
        if isinstance(value, str | int):
            return str(value).strip()
        return ""

    def fact(self, data: Data, key: str) -> str:
        """A field shown as a fact: a colour or severity as its label, a date in words."""
        value = self.text(data, key)
        if not value:
            return ""
        if key == "previous_rag":
            return colour_label(self.w, value)
        if key in ("severity", "previous_severity"):
            return severity_word(self.w, value).upper()
        if key == "status":
            return status_word(self.w, value)
        if key == "decision":
            return self.word(DECISIONS, value)
        if key == "kind":
            return self.word(KINDS, value)
        if key in _DATES:
            return self.day(value)
        return value

    def word(self, words: Mapping[str, str], key: str) -> str:
        return self.w._(words[key]) if key in words else key.replace("_", " ")

    def day(self, value: str) -> str:
        try:
            return self.w.day(date.fromisoformat(value))
        except ValueError:
            return value

    def reason(self, reason: Data) -> str:
        """A reason's (or finding's) message as its author wrote it in the reader's language."""
        return quoted(self.w, self.text(reason, "message"), mapping(reason.get("messages")))

    def project(self, data: Data) -> str:
        return (
            self.text(data, "project_name")
            or self.text(data, "name")
            or self.text(data, "project_id")
            or self.w._("a project")
        )

    def rag(self, data: Data) -> str:
        return colour_label(self.w, self.text(data, "rag") or "unknown")

    def metric(self, data: Data) -> str:
        return (self.text(data, "metric") or "?").upper()


def mapping(value: object) -> Data:
    """`value` when it is a mapping, else an empty one."""
    return value if isinstance(value, Mapping) else {}


def mappings(value: object) -> list[Data]:
    """The mappings in `value` when it is a list."""
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []
