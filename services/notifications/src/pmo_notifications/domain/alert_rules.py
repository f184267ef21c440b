"""What each kind of alert is called, when it is one alert rather than another, and how the
at-risk alert follows its project's colour."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pmo_notifications.domain.severity import is_escalation

AT_RISK = "at_risk"
EARLY_WARNING = "early_warning"
REPORT_OVERDUE = "report_overdue"
ACTION_OVERDUE = "action_overdue"
ALERT_KINDS: tuple[str, ...] = (AT_RISK, EARLY_WARNING, REPORT_OVERDUE, ACTION_OVERDUE)
WARNING = "warning"
CRITICAL = "critical"
# The colour that calls for no alert, and the one that says nothing either way.
GREEN = "green"
UNKNOWN = "unknown"


def deduplication_key(kind: str) -> str:
    """The key under which at most one active alert of a project may exist: its kind.

    A project has one open alert per kind (ARCHITECTURE, "Signals"): its missed periods, overdue
    actions and early warnings are the items of that one alert (`item_key`), not alerts of their
    own.
    """
    if kind not in ALERT_KINDS:
        raise ValueError(f"unknown alert kind '{kind}'; use one of: {', '.join(ALERT_KINDS)}")
    return kind


def item_key(kind: str, item: str | int) -> str:
    """The key of one item of a project's alert of `kind`: a missed period, an overdue action's
    id, an early warning's metric. An item is remembered once per project, so a period or an
    action is never alerted twice, even after its alert was resolved."""
    return f"{kind}:{item}"


def item_prefix(kind: str) -> str:
    """What the keys of every item of `kind` start with."""
    return item_key(kind, "")


def action_overdue_key(action_id: str) -> str:
    """The item key of a recovery action's overdue signal: one per action, however often
    signalled."""
    return item_key(ACTION_OVERDUE, action_id)


def action_overdue_title(project_name: str, action_title: str, days_overdue: int) -> str:
    """Plain-language title of an overdue-action alert about one action."""
    # Titles are stored in 400 characters: a long action title is shortened, the rest kept.
    shown = action_title if len(action_title) <= 120 else f"{action_title[:119]}…"
    return f'Project {project_name}: recovery action "{shown}" overdue by {_days(days_overdue)}'


def overdue_actions_title(project_name: str, actions: int) -> str:
    """Plain-language title of the overdue-action alert by its count of overdue actions."""
    noun = "action" if actions == 1 else "actions"
    return f"Project {project_name}: {actions} recovery {noun} overdue"


def at_risk_title(project_name: str, rag: str) -> str:
    """Plain-language title of an at-risk alert."""
    return f"Project {project_name} is at risk ({rag})"


def report_overdue_title(project_name: str, days_overdue: int, missed_periods: int = 1) -> str:
    """Plain-language title of an overdue-report alert: the days since the first missed report,
    and how many reporting periods have been missed once more than one."""
    title = f"Project {project_name}: status report overdue by {_days(days_overdue)}"
    if missed_periods > 1:
        title += f" ({missed_periods} reporting periods missed)"
    return title


def missed_periods(first_period: int, period: int) -> int:
    """The reporting periods missed from `first_period` (the one the open alert opened on) to
    `period`, both included; a period the service never heard of in between still counts."""
    return max(period - first_period, 0) + 1


def early_warning_title(project_name: str, metrics: Sequence[str]) -> str:
    """Plain-language title of an early-warning alert, naming the indices it warns about."""
    named = ", ".join(metric.upper().replace("_T", "(t)") for metric in metrics) or "its forecast"
    plural = "s" if len(metrics) > 1 else ""
    return f"Project {project_name}: early warning{plural} on {named}"


def recovery_note(rag: str) -> str:
    """The resolution note written when monitoring reports a recovery."""
    return f"Project recovered to {rag}"


def should_notify_again(previous_severity: str, new_severity: str) -> bool:
    """A repeated at-risk signal re-notifies people only when it got more severe."""
    return is_escalation(previous_severity, new_severity)


def at_risk_severity(rag: str) -> str | None:
    """The severity of the at-risk alert while the project has this colour: critical while
    red, warning while amber, none (resolved) when green; `unknown` says nothing either way
    (see `follows_colour`)."""
    if rag == "red":
        return CRITICAL
    if rag == "amber":
        return WARNING
    return None


def follows_colour(rag: str) -> bool:
    """Whether a colour moves the at-risk alert: `unknown` (no figures to judge) leaves it as
    it is, since nothing shows the project better or worse."""
    return rag != UNKNOWN


@dataclass(frozen=True, slots=True)
class AlertStep:
    """What a newer health signal does to the project's at-risk alert."""

    # Open a new alert of `severity` (none is active).
    open: bool = False
    # Change the active alert's severity to `severity` (raised or lowered).
    change: bool = False
    # Resolve the active alert (the project is green).
    resolve: bool = False
    severity: str | None = None


def at_risk_step(active_severity: str | None, rag: str) -> AlertStep:
    """How the at-risk alert follows a newer colour: amber means an active warning, red an
    active critical, green none; with `active_severity` None when no alert is active."""
    if not follows_colour(rag):
        return AlertStep()
    severity = at_risk_severity(rag)
    if severity is None:
        return AlertStep(resolve=active_severity is not None)
    if active_severity is None:
        return AlertStep(open=True, severity=severity)
    return AlertStep(change=active_severity != severity, severity=severity)


def _days(days: int) -> str:
    return f"{days} day" if days == 1 else f"{days} days"
