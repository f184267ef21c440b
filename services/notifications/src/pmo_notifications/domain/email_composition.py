"""The words of every e-mail: what happened, why, the key figures and what to do next."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from pmo_notifications.domain.reason_line import ReasonLine

__all__ = [
    "ComposedEmail",
    "EarlyWarningNotice",
    "EscalationNotice",
    "HealthNotice",
    "OverdueAction",
    "OverdueReport",
    "ReasonLine",
    "compose_action_overdue_email",
    "compose_alert_change_email",
    "compose_at_risk_email",
    "compose_early_warning_cleared_email",
    "compose_early_warning_email",
    "compose_escalation_email",
    "compose_event_email",
    "compose_health_change_email",
    "compose_overdue_email",
    "compose_recovery_email",
    "compose_severity_change_email",
]
SUBJECT_PREFIX = "[PMO]"
_SIGNATURE = (
    "\n--\nSent by the PMO notifications service. Reply to your PMO contact if something "
    "in this message looks wrong."
)
# The metrics a project manager acts on, in reading order, with their plain names.
_KEY_METRICS: tuple[tuple[str, str], ...] = (
    ("cpi", "Cost performance index (CPI)"),
    ("spi", "Schedule performance index (SPI)"),
    ("spi_t", "Earned-schedule performance index (SPI(t))"),
    ("bac", "Budget at completion (BAC)"),
    ("eac", "Estimate at completion (EAC)"),
    ("vac", "Variance at completion (VAC)"),
    ("forecast_end_date", "Forecast end date"),
)
_RATIOS = frozenset({"cpi", "spi", "spi_t", "tcpi"})


@dataclass(frozen=True, slots=True)
class HealthNotice:
    """A project's health as told by an at-risk or recovery event."""

    project_name: str
    rag: str
    as_of: date
    reasons: Sequence[ReasonLine] = ()
    metrics: Mapping[str, object] = field(default_factory=dict)
    severity: str | None = None
    previous_rag: str | None = None
    sponsor: str | None = None
    alert_id: str | None = None


@dataclass(frozen=True, slots=True)
class ComposedEmail:
    """Subject and plain-text body of one e-mail, and an HTML alternative where it has one (the
    digests: sent as multipart/alternative, the text first)."""

    subject: str
    body: str
    html: str | None = None


def compose_at_risk_email(notice: HealthNotice) -> ComposedEmail:
    """The e-mail telling a project manager their project is at risk."""
    severity = f", {notice.severity}" if notice.severity else ""
    return _health_email(
        notice,
        subject="is at risk",
        news=[f"is now {notice.rag.upper()}{severity}"],
        reasons_heading="Why it is at risk:",
        steps=[
            "Check the reasons above against your latest status report and correct any figure "
            "that is wrong.",
            "Agree a recovery plan with your team: what changes in scope, schedule or budget, "
            "and by when.",
            f"Share the plan with your sponsor{_parenthesised(notice.sponsor)} and the PMO, "
            "then file an updated status report.",
            f"Acknowledge the alert{_parenthesised(notice.alert_id, 'id ')} in the PMO tool so "
            "the PMO knows you are on it.",
        ],
    )


def compose_recovery_email(notice: HealthNotice) -> ComposedEmail:
    """The e-mail telling a project manager their project has recovered (from red)."""
    was = f" (it was {notice.previous_rag})" if notice.previous_rag else ""
    # The at-risk alert follows the colour: resolved at green, a warning while amber.
    alert = (
        "The at-risk alert has been lowered to a warning while the project is amber."
        if notice.rag == "amber"
        else "The at-risk alert has been resolved automatically."
    )
    return _health_email(
        notice,
        subject="has recovered",
        news=[f"has recovered: it is now {notice.rag.upper()}{was}", alert],
        reasons_heading="Still worth watching:",
        steps=[
            "Keep reporting on the usual cadence so the recovery is confirmed.",
            "Let your sponsor and the PMO know which actions made the difference.",
        ],
    )


class OverdueReport(Protocol):
    """A status report past its due date, as monitoring's project.report_overdue tells it."""

    project_name: str
    last_report_at: date | None
    due_date: date
    days_overdue: int


def compose_overdue_email(report: OverdueReport) -> ComposedEmail:
    """The e-mail reminding a project manager that a status report is overdue."""
    unit = "day" if report.days_overdue == 1 else "days"
    last = (
        f"The last report was dated {report.last_report_at.isoformat()}."
        if report.last_report_at
        else "No status report has been filed yet."
    )
    return _email(
        f"Status report overdue for project {report.project_name}",
        [
            f"The status report of project {report.project_name} was due on "
            f"{report.due_date.isoformat()} and is {report.days_overdue} {unit} overdue. {last}",
            "",
            *_next_steps(
                "File a status report in the PMO tool (progress, actual cost, milestones, risks).",
                "If the project is paused or closing, tell the PMO so reporting can be adjusted.",
            ),
        ],
    )


def compose_alert_change_email(
    *, title: str, status: str, actor: str | None, note: str | None
) -> ComposedEmail:
    """The e-mail telling a subscriber that an alert was raised, acknowledged or resolved."""
    by = f" by {actor}" if actor else ""
    lines = [f"Alert: {title}", f"Status: {status}{by}."]
    if note:
        lines.append(f"Note: {note}")
    return _email(f"Alert {status}: {title}", lines)


def compose_severity_change_email(*, title: str, previous: str, current: str) -> ComposedEmail:
    """The e-mail telling a subscriber that an alert was raised or lowered with its project."""
    moved = "raised" if current == "critical" else "lowered"
    return _email(
        f"Alert {moved} to {current}: {title}",
        [f"Alert: {title}", f"Severity: {moved} from {previous} to {current}."],
    )


def compose_health_change_email(notice: HealthNotice) -> ComposedEmail:
    """The e-mail telling a subscriber that a project's colour changed."""
    was = f" (it was {notice.previous_rag})" if notice.previous_rag else ""
    return _health_email(
        notice,
        subject="changed colour",
        news=[f"is now {notice.rag.upper()}{was}"],
        reasons_heading="Why:",
        steps=["Open the project in the PMO tool for its latest status report and trend."],
    )


@dataclass(frozen=True, slots=True)
class EarlyWarningNotice:
    """A forecast warning about one index of a project (project.early_warning)."""

    project_name: str
    metric: str
    message: str
    as_of: date
    forecast_crossing_date: date | None = None


def compose_early_warning_email(notice: EarlyWarningNotice) -> ComposedEmail:
    """The e-mail telling a subscriber that a project's forecast warns of trouble ahead."""
    crossing = (
        [f"At this trend it crosses the red threshold on {notice.forecast_crossing_date}."]
        if notice.forecast_crossing_date
        else []
    )
    return _email(
        f"Early warning on {notice.metric} for project {notice.project_name}",
        [
            f"Project {notice.project_name}, as of {notice.as_of.isoformat()}: {notice.message}",
            *crossing,
            "",
            *_next_steps(
                "Check the forecast against your plan: what would change the trend?",
                "Agree the corrective action with your team before the threshold is crossed.",
            ),
        ],
    )


def compose_early_warning_cleared_email(
    *, project_name: str, metric: str, as_of: date
) -> ComposedEmail:
    """The e-mail telling a subscriber that a project's early warning no longer holds."""
    return _email(
        f"Early warning on {metric} cleared for project {project_name}",
        [
            f"Project {project_name}, as of {as_of.isoformat()}: the latest status report no "
            f"longer shows the early warning on {metric}."
        ],
    )


@dataclass(frozen=True, slots=True)
class EscalationNotice:
    """An alert left unacknowledged, at the level of its escalation ladder just reached."""

    project_name: str
    title: str
    alert_id: str
    reasons: Sequence[ReasonLine]
    unacknowledged_for: str
    level: int
    levels: int
    policy_name: str
    manager: str | None
    round: int = 0


def compose_escalation_email(notice: EscalationNotice) -> ComposedEmail:
    """The e-mail telling the next people on the ladder that nobody has taken an alert on."""
    again = f", round {notice.round + 1}" if notice.round else ""
    # Said the same to everyone told, the manager included: no "contact the manager" to them.
    manager = f"; the project manager is {notice.manager}" if notice.manager else ""
    return _email(
        f"Escalation level {notice.level}: {notice.title}, unacknowledged for "
        f"{notice.unacknowledged_for}",
        [
            f'Project {notice.project_name} needs attention: "{notice.title}" has been open '
            f"for {notice.unacknowledged_for} and nobody has acknowledged it yet.",
            f"You are told because the alert reached level {notice.level} of "
            f'{notice.levels}{again} of the escalation policy "{notice.policy_name}".',
            "",
            *_reason_section(notice.reasons, "Why:"),
            *_next_steps(
                f"Make sure someone is taking care of it{manager}.",
                f"Acknowledge the alert (id {notice.alert_id}) in the PMO tool: that stops the "
                "escalation. Resolve it once the project is back on track.",
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


def compose_action_overdue_email(action: OverdueAction) -> ComposedEmail:
    """The e-mail reminding an action's owner that their recovery action is overdue."""
    unit = "day" if action.days_overdue == 1 else "days"
    people = " and ".join(
        f"{role} ({who})"
        for role, who in (
            ("the project manager", action.manager),
            ("the PMO consultant on the case", action.owner),
        )
        if who
    )
    return _email(
        f"Recovery action overdue: {action.title} (project {action.project_name})",
        [
            f'The recovery action "{action.title}" of project {action.project_name} '
            f"was due on {action.due_date.isoformat()} and is {action.days_overdue} {unit} "
            "overdue. You are its owner.",
            "",
            *_next_steps(
                "When it is done, mark it done on the project's intervention in the PMO tool.",
                "If it cannot be done as planned, say so now"
                + (f" to {people}" if people else "")
                + " so the recovery plan can be changed.",
            ),
        ],
    )


def compose_event_email(
    *, event_type: str, summary: str, details: Mapping[str, object]
) -> ComposedEmail:
    """The e-mail forwarding any other subscribed event, field by field."""
    fields = [f"  {name}: {_plain(value)}" for name, value in details.items() if value is not None]
    return _email(summary, [summary, "", *fields], footer=f"\n(event type: {event_type})")


def _health_email(
    notice: HealthNotice,
    *,
    subject: str,
    news: Sequence[str],
    reasons_heading: str,
    steps: Sequence[str],
) -> ComposedEmail:
    # The project's new state as of the event's date, its reasons and key figures, then what to do.
    headline, *more = news
    name = notice.project_name
    return _email(
        f"Project {name} {subject} ({notice.rag})",
        [
            f"Project {name} {headline} as of {notice.as_of.isoformat()}.",
            *more,
            "",
            *_reason_section(notice.reasons, reasons_heading),
            *_metric_section(notice.metrics),
            *_next_steps(*steps),
        ],
    )


def _email(subject: str, lines: Sequence[str], *, footer: str = "") -> ComposedEmail:
    # Every e-mail greets the reader, says its lines, and ends with the service's signature.
    body = "\n".join(["Hello,", "", *lines]) + "\n" + footer + _SIGNATURE
    return ComposedEmail(f"{SUBJECT_PREFIX} {subject}", body)


def _next_steps(*steps: str) -> list[str]:
    return ["What to do next:", *(f"  {number}. {step}" for number, step in enumerate(steps, 1))]


def _reason_section(reasons: Sequence[ReasonLine], heading: str) -> list[str]:
    if not reasons:
        return []
    lines = [heading]
    for reason in reasons:
        figure = ""
        if reason.value is not None and reason.threshold is not None:
            figure = f" ({reason.metric or 'value'} {_plain(reason.value)}, "
            figure += f"threshold {_plain(reason.threshold)})"
        lines.append(f"  - {reason.message}{figure}")
    return [*lines, ""]


def _metric_section(metrics: Mapping[str, object]) -> list[str]:
    lines = [
        f"  {label}: {_metric_value(key, metrics[key])}"
        for key, label in _KEY_METRICS
        if metrics.get(key) is not None
    ]
    return ["Key figures:", *lines, ""] if lines else []


def _metric_value(key: str, value: object) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:.2f}" if key in _RATIOS else f"{value:,.0f}"
    return _plain(value)


def _plain(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _parenthesised(value: str | None, prefix: str = "") -> str:
    return f" ({prefix}{value})" if value else ""
