"""What each kind of alert is called and when it is one alert rather than another."""

from __future__ import annotations

from pmo_notifications.domain.severity import is_escalation

AT_RISK = "at_risk"
REPORT_OVERDUE = "report_overdue"
ACTION_OVERDUE = "action_overdue"
ALERT_KINDS: tuple[str, ...] = (AT_RISK, REPORT_OVERDUE, ACTION_OVERDUE)


def deduplication_key(kind: str, period: int | None = None) -> str:
    """The key under which at most one active alert of a project may exist.

    An at-risk project has one alert whatever the number of reports; an overdue report has one
    alert per missed reporting period.
    """
    if kind == REPORT_OVERDUE:
        if period is None:
            raise ValueError("an overdue-report alert needs the missed period")
        return f"{REPORT_OVERDUE}:{period}"
    return kind


def action_overdue_key(action_id: str) -> str:
    """The key of a recovery action's overdue alert: one per action, however often signalled."""
    return f"{ACTION_OVERDUE}:{action_id}"


def action_overdue_title(project_name: str, action_title: str, days_overdue: int) -> str:
    """Plain-language title of an overdue-action alert."""
    unit = "day" if days_overdue == 1 else "days"
    # Titles are stored in 400 characters: a long action title is shortened, the rest kept.
    shown = action_title if len(action_title) <= 120 else f"{action_title[:119]}…"
    return f'Project {project_name}: recovery action "{shown}" overdue by {days_overdue} {unit}'


def at_risk_title(project_name: str, rag: str) -> str:
    """Plain-language title of an at-risk alert."""
    return f"Project {project_name} is at risk ({rag})"


def report_overdue_title(project_name: str, days_overdue: int) -> str:
    """Plain-language title of an overdue-report alert."""
    unit = "day" if days_overdue == 1 else "days"
    return f"Project {project_name}: status report overdue by {days_overdue} {unit}"


def recovery_note(rag: str) -> str:
    """The resolution note written when monitoring reports a recovery."""
    return f"Project recovered to {rag}"


def should_notify_again(previous_severity: str, new_severity: str) -> bool:
    """A repeated at-risk signal re-notifies people only when it got more severe."""
    return is_escalation(previous_severity, new_severity)
