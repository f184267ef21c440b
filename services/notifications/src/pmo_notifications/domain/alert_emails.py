"""The e-mails about alerts and what is overdue: an alert's change of status or severity, an
escalation step, an overdue status report or recovery action, and any other forwarded event.

An alert's title is the alert's own (stored with it, as the API shows it): it is quoted as it
is, and the words around it are the reader's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from pmo_notifications.domain.email_composition import (
    ComposedEmail,
    glossary_section,
    next_steps,
    plain_value,
    reason_section,
    worded_email,
)
from pmo_notifications.domain.escalation_ladder import plain_duration
from pmo_notifications.domain.reason_line import ReasonLine
from pmo_notifications.domain.wording import (
    Wording,
    day_count,
    labelled,
    severity_word,
    status_word,
)


def compose_alert_change_email(
    wording: Wording, *, title: str, status: str, actor: str | None, note: str | None
) -> ComposedEmail:
    """The e-mail telling a subscriber that an alert was raised, acknowledged or resolved."""
    w = wording
    said = status_word(w, status)
    lines = [
        w._("Alert: {title}").format(title=title),
        (
            w._("Status: {status} by {actor}.").format(status=said, actor=actor)
            if actor
            else w._("Status: {status}.").format(status=said)
        ),
    ]
    if note:
        lines.append(w._("Note: {note}").format(note=note))
    return worded_email(w, w._("Alert {status}: {title}").format(status=said, title=title), lines)


def compose_severity_change_email(
    wording: Wording, *, title: str, previous: str, current: str
) -> ComposedEmail:
    """The e-mail telling a subscriber that an alert was raised or lowered with its project."""
    w = wording
    said = {
        "title": title,
        "previous": severity_word(w, previous),
        "current": severity_word(w, current),
    }
    if current == "critical":
        subject = w._("Alert raised to {current}: {title}")
        moved = w._("Severity: raised from {previous} to {current}.")
    else:
        subject = w._("Alert lowered to {current}: {title}")
        moved = w._("Severity: lowered from {previous} to {current}.")
    return worded_email(
        w,
        subject.format(**said),
        [w._("Alert: {title}").format(title=title), moved.format(**said)],
    )


@dataclass(frozen=True, slots=True)
class EscalationNotice:
    """An alert left unacknowledged, at the level of its escalation ladder just reached."""

    project_name: str
    title: str
    alert_id: str
    reasons: Sequence[ReasonLine]
    unacknowledged_for: timedelta
    level: int
    levels: int
    policy_name: str
    manager: str | None
    round: int = 0


def compose_escalation_email(wording: Wording, notice: EscalationNotice) -> ComposedEmail:
    """The e-mail telling the next people on the ladder that nobody has taken an alert on."""
    w = wording
    said = {
        "name": notice.project_name,
        "title": notice.title,
        "duration": plain_duration(w, notice.unacknowledged_for),
        "level": notice.level,
        "levels": notice.levels,
        "round": notice.round + 1,
        "policy": notice.policy_name,
        "manager": notice.manager,
        "alert_id": notice.alert_id,
    }
    reached = (
        w._(
            "You are told because the alert reached level {level} of {levels}, round {round}, "
            'of the escalation policy "{policy}".'
        )
        if notice.round
        else w._(
            "You are told because the alert reached level {level} of {levels} of the "
            'escalation policy "{policy}".'
        )
    )
    # Said the same to everyone told, the manager included: no "contact the manager" to them.
    care = (
        w._("Make sure someone is taking care of it; the project manager is {manager}.")
        if notice.manager
        else w._("Make sure someone is taking care of it.")
    )
    return worded_email(
        w,
        w._("Escalation level {level}: {title}, unacknowledged for {duration}").format(**said),
        [
            w._(
                'Project {name} needs attention: "{title}" has been open for {duration} and '
                "nobody has acknowledged it yet."
            ).format(**said),
            reached.format(**said),
            "",
            *reason_section(w, notice.reasons, w._("Why:")),
            *glossary_section(w),
            *next_steps(
                w,
                care.format(**said),
                w._(
                    "Acknowledge the alert (id {alert_id}) in the PMO tool: that stops the "
                    "escalation. Resolve it once the project is back on track."
                ).format(**said),
            ),
        ],
    )


class OverdueReport(Protocol):
    """A status report past its due date, as monitoring's project.report_overdue tells it."""

    project_name: str
    last_report_at: date | None
    due_date: date
    days_overdue: int


def compose_overdue_email(wording: Wording, report: OverdueReport) -> ComposedEmail:
    """The e-mail reminding a project manager that a status report is overdue."""
    w = wording
    last = (
        w._("The last report was dated {day}.").format(day=w.day(report.last_report_at))
        if report.last_report_at
        else w._("No status report has been filed yet.")
    )
    name = report.project_name
    return worded_email(
        w,
        w._("Status report overdue for project {name}").format(name=name),
        [
            w._(
                "The status report of project {name} was due on {due} and is {days} overdue."
            ).format(name=name, due=w.day(report.due_date), days=day_count(w, report.days_overdue))
            + f" {last}",
            "",
            *next_steps(
                w,
                w._(
                    "File a status report in the PMO tool (progress, actual cost, milestones, "
                    "risks)."
                ),
                w._(
                    "If the project is paused or closing, tell the PMO so reporting can be "
                    "adjusted."
                ),
            ),
        ],
    )


class OverdueAction(Protocol):
    """A recovery action past its due date, as standards' intervention.action_overdue tells it
    (`owner`: the PMO consultant on the case)."""

    project_name: str
    title: str
    due_date: date
    days_overdue: int
    manager: str
    owner: str | None


def compose_action_overdue_email(wording: Wording, action: OverdueAction) -> ComposedEmail:
    """The e-mail reminding an action's owner that their recovery action is overdue."""
    w = wording
    said = {
        "title": action.title,
        "name": action.project_name,
        "due": w.day(action.due_date),
        "days": day_count(w, action.days_overdue),
        "manager": action.manager,
        "owner": action.owner,
    }
    if action.manager and action.owner:
        tell = w._(
            "If it cannot be done as planned, say so now to the project manager "
            "({manager}) and the PMO consultant on the case ({owner}) so the recovery "
            "plan can be changed."
        )
    elif action.manager or action.owner:
        said["manager"] = action.manager or action.owner
        tell = w._(
            "If it cannot be done as planned, say so now to {manager} so the recovery "
            "plan can be changed."
        )
    else:
        tell = w._(
            "If it cannot be done as planned, say so now so the recovery plan can be changed."
        )
    return worded_email(
        w,
        w._("Recovery action overdue: {title} (project {name})").format(**said),
        [
            w._(
                'The recovery action "{title}" of project {name} was due on {due} and is '
                "{days} overdue. You are its owner."
            ).format(**said),
            "",
            *next_steps(
                w,
                w._("When it is done, mark it done on the project's intervention in the PMO tool."),
                tell.format(**said),
            ),
        ],
    )


def compose_event_email(
    wording: Wording, *, event_type: str, summary: str, details: Mapping[str, object]
) -> ComposedEmail:
    """The e-mail forwarding any other subscribed event, field by field (the fields by the
    names the event gives them)."""
    w = wording
    fields = [
        "  " + labelled(w, name, plain_value(w, value))
        for name, value in details.items()
        if value is not None
    ]
    footer = "\n" + w._("(event type: {event_type})").format(event_type=event_type)
    return worded_email(w, summary, [summary, "", *fields], footer=footer)
