"""Interventions: the PMO's case for a project in difficulty, and the rules of its life.

A case opens when a project enters red, collects the manager's exception report, the board's
decision and recovery actions, and closes when the project has recovered and every action is
done (in either order), when the project is closed, or when the board closes it early.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

OPEN = "open"
CLOSED = "closed"
ACTION_OPEN = "open"
ACTION_DONE = "done"
MIN_OPTIONS = 2
MAX_OPTIONS = 5
# Every list of cases shows each case's actions whole: a bound keeps a page's size bounded too.
MAX_ACTIONS_PER_CASE = 100
# Option impacts: a century either way, and more money than any project has (but not 10**30).
MAX_SCHEDULE_IMPACT_DAYS = 36_500
MAX_COST_IMPACT = 1e15

CloseReason = Literal["recovered", "project_closed", "premature_close"]
DecisionOutcome = Literal["approve_option", "exception_plan_required", "premature_close"]


@dataclass(frozen=True, slots=True)
class ReasonNote:
    """Why the project is red, as monitoring said it in project.at_risk."""

    code: str
    message: str
    metric: str | None = None
    value: float | str | None = None
    threshold: float | str | None = None
    # The message in each language monitoring wrote it in, by language code (may be empty).
    messages: dict[str, str] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True, slots=True)
class PracticeRef:
    """A library entry suggested to the case."""

    id: str
    title: str


@dataclass(frozen=True, slots=True)
class ExceptionOption:
    """One way out of the exception, with its effect on cost and time."""

    key: str
    description: str
    cost_impact: float
    schedule_impact_days: int


@dataclass(frozen=True, slots=True)
class ExceptionReport:
    """The project manager's account of the deviation and the options (PRINCE2)."""

    title: str
    cause: str
    consequences: str
    options: tuple[ExceptionOption, ...]
    recommendation: str
    lessons: str | None
    reported_by: str
    reported_at: datetime

    @property
    def option_keys(self) -> tuple[str, ...]:
        """The keys the board may approve."""
        return tuple(option.key for option in self.options)


@dataclass(frozen=True, slots=True)
class BoardDecision:
    """What the portfolio board decided about the exception."""

    outcome: DecisionOutcome
    option: str | None
    note: str | None
    decided_by: str
    decided_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class RecoveryAction:
    """Something someone must do by a date to bring the project back (the defaults: not yet)."""

    id: str
    intervention_id: str
    title: str
    owner: str
    due_date: date
    status: str = ACTION_OPEN
    done_at: datetime | None = None
    created_by: str
    created_at: datetime

    @property
    def done(self) -> bool:
        """Whether the action is finished."""
        return self.status == ACTION_DONE


@dataclass(frozen=True, slots=True, kw_only=True)
class Intervention:
    """A case; `recovered_at` is set while the project is out of red since the case opened.

    The defaults are a case just opened: no owner, report, decision or action yet.
    """

    id: str
    project_id: str
    project_name: str
    manager: str
    sponsor: str | None
    portfolio_id: str | None
    status: str
    opened_at: datetime
    closed_at: datetime | None = None
    close_reason: CloseReason | None = None
    owner: str | None = None
    reasons: tuple[ReasonNote, ...]
    suggested_practices: tuple[PracticeRef, ...]
    exception_report: ExceptionReport | None = None
    decision: BoardDecision | None = None
    recovered_at: datetime | None = None
    health_version: int | None
    lesson_practice_id: str | None = None
    actions: tuple[RecoveryAction, ...] = ()

    @property
    def is_open(self) -> bool:
        """Whether the case is still being worked."""
        return self.status == OPEN

    @property
    def reason_codes(self) -> tuple[str, ...]:
        """The distinct reason codes, in the order monitoring gave them."""
        return tuple(dict.fromkeys(reason.code for reason in self.reasons))

    @property
    def recovered_and_done(self) -> bool:
        """Whether the case may close as recovered: out of red and every action done."""
        return self.recovered_at is not None and all(action.done for action in self.actions)


@dataclass(frozen=True, slots=True)
class InterventionFilter:
    """Which cases a list shows; None leaves a criterion out. `managed_by`: one manager's,
    plus, with it, the cases of the portfolios in `or_in_portfolios` (the caller's
    memberships)."""

    project_id: str | None = None
    status: str | None = None
    owner: str | None = None
    managed_by: str | None = None
    or_in_portfolios: frozenset[str] = frozenset()


def opens_intervention(rag: str) -> bool:
    """Only red opens a case; an amber project at risk is watched, not intervened in."""
    return rag == "red"


def is_newer_health(incoming: int | None, stored: int | None) -> bool:
    """Whether a health event may change the case (a late or replayed one may not)."""
    return incoming is None or stored is None or incoming > stored


def kept_health_version(incoming: int | None, stored: int | None) -> int | None:
    """The version a case keeps after a health event: an unversioned one does not erase it,
    else a stale event could pass `is_newer_health` afterwards."""
    return stored if incoming is None else incoming


@dataclass(frozen=True, slots=True)
class InputIssue:
    """A broken rule about one input field (field relative to the body)."""

    field: str
    reason: str


def exception_report_issues(option_keys: Sequence[str], recommendation: str) -> list[InputIssue]:
    """What is wrong with a report's options and recommendation (nothing: an empty list)."""
    issues: list[InputIssue] = []
    if not MIN_OPTIONS <= len(option_keys) <= MAX_OPTIONS:
        issues.append(
            InputIssue("options", f"give between {MIN_OPTIONS} and {MAX_OPTIONS} options")
        )
    duplicates = sorted({key for key in option_keys if option_keys.count(key) > 1})
    if duplicates:
        issues.append(InputIssue("options", f"option keys must be unique: {duplicates}"))
    if recommendation not in option_keys:
        issues.append(
            InputIssue("recommendation", f"must be one of the option keys {list(option_keys)}")
        )
    return issues


def decision_issues(
    outcome: DecisionOutcome, option: str | None, report: ExceptionReport
) -> list[InputIssue]:
    """What is wrong with a decision on this report: approving needs one of its options."""
    if option is None:
        if outcome == "approve_option":
            return [InputIssue("option", "required when the outcome is approve_option")]
        return []
    if option not in report.option_keys:
        return [
            InputIssue("option", f"must be one of the report's options {list(report.option_keys)}")
        ]
    return []


def overdue_days(due_date: date, today: date) -> int:
    """Days an action is past its due date (0 while it is not overdue)."""
    return max((today - due_date).days, 0)


def lesson_title(project_name: str, report_title: str, *, limit: int = 200) -> str:
    """The library title of a case's lesson, cut to what a title may hold."""
    title = f"Lesson from {project_name}: {report_title}"
    return title if len(title) <= limit else title[: limit - 1] + "…"
