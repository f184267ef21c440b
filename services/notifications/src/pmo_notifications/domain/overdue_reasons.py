"""The reasons notifications words itself (an overdue status report, an overdue recovery
action), in the reader's language: each is stored in every language with its alert, and quoted
in each reader's (monitoring's reasons arrive worded the same way)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from pmo_notifications.domain.reason_line import ReasonLine
from pmo_notifications.domain.wording import SOURCE_LOCALE, Wording, day_count


def days_overdue_reason(kind: str, days_overdue: int, messages: Mapping[str, str]) -> ReasonLine:
    """The reason an item of an alert of `kind` is overdue, in every language (`messages`; its
    `message` the English one, as every stored reason's)."""
    return ReasonLine(
        kind,
        messages[SOURCE_LOCALE],
        metric="days_overdue",
        value=days_overdue,
        threshold=0,
        messages=dict(messages),
    )


def report_overdue_reason(
    wording: Wording, *, last_report_at: date | None, due_date: date, days_overdue: int, missed: int
) -> str:
    """Why a project's reporting is overdue: since when, by how much, how many periods missed."""
    w = wording
    said = {"last": w.day(last_report_at) if last_report_at else "", "due": w.day(due_date)}
    said["days"] = day_count(w, days_overdue)
    message = (
        w._("No status report since {last}; the one due on {due} is {days} overdue.")
        if last_report_at
        else w._("No status report has been filed yet; the one due on {due} is {days} overdue.")
    ).format(**said)
    if missed > 1:
        message += " " + w._("{count} reporting periods have been missed.").format(count=missed)
    return message


def action_overdue_reason(
    wording: Wording, *, title: str, owner: str, due_date: date, days_overdue: int
) -> str:
    """Why a recovery action is listed as overdue: whose it is and by how much."""
    w = wording
    return w._(
        'Recovery action "{title}" (owner {owner}) was due on {due} and is {days} overdue.'
    ).format(title=title, owner=owner, due=w.day(due_date), days=day_count(w, days_overdue))
