"""What a digest says, before any wording: the daily one of a project manager and the weekly one
of a portfolio manager, built from what notifications knows (pure; the handlers read the rows).

A daily digest lists the manager's active projects with their colour and the changes of colour
since the manager's previous daily digest, the open alerts, the overdue status reports and the
recovery actions due within a week or overdue. It has news (and is sent) only when something
changed or needs attention; green projects alone make no e-mail. A weekly digest rolls up each
portfolio the reader owns; it has news when one of them has an active project.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from pmo_notifications.domain.digest_rollup import (
    Figures,
    ReasonCount,
    colour_counts,
    colour_of,
    summed_figures,
    top_reasons,
)
from pmo_notifications.domain.project_projection import HealthChange, ProjectRecord

# The alert kind whose alerts a digest lists as overdue status reports rather than alerts.
REPORT_OVERDUE = "report_overdue"
# Recovery actions due within this many days are listed (overdue ones always are).
ACTIONS_DUE_WITHIN = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class DigestAlert:
    """An open (or acknowledged) alert of one of the reader's projects."""

    project_id: str
    project_name: str
    kind: str
    severity: str
    status: str
    title: str
    opened_at: datetime


@dataclass(frozen=True, slots=True)
class OpenAction:
    """A recovery action of one of the reader's projects that is not done."""

    project_id: str
    title: str
    owner: str | None
    due_date: date


@dataclass(frozen=True, slots=True)
class ColourChange:
    """One change of a project's colour within the digest's window."""

    previous_rag: str | None
    rag: str
    changed_at: datetime


@dataclass(frozen=True, slots=True)
class DigestProject:
    """A project as a digest lists it."""

    project_id: str
    name: str
    portfolio_id: str | None
    rag: str
    changes: tuple[ColourChange, ...]
    # While a silence holds, the project's alerts e-mail nobody: the digest still shows it.
    silenced_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class ActionLine:
    """A recovery action due soon or overdue (`days_overdue` 0 when not yet due)."""

    project_id: str
    project_name: str
    title: str
    owner: str | None
    due_date: date
    days_overdue: int


@dataclass(frozen=True, slots=True)
class DigestHeading:
    """Whose digest, of which period, counting changes since when (shown in `timezone`)."""

    recipient: str
    period_key: str
    since: datetime
    timezone: str


@dataclass(frozen=True, slots=True)
class DailyDigest(DigestHeading):
    """A project manager's day: their projects and what needs their attention."""

    projects: tuple[DigestProject, ...]
    alerts: tuple[DigestAlert, ...]
    overdue_reports: tuple[DigestAlert, ...]
    actions: tuple[ActionLine, ...]
    period: Literal["daily"] = "daily"

    @property
    def has_news(self) -> bool:
        """Whether there is anything to tell: a change, an alert, a missed report, an action."""
        changed = any(project.changes for project in self.projects)
        return changed or bool(self.alerts or self.overdue_reports or self.actions)


@dataclass(frozen=True, slots=True)
class ColourShift:
    """A project whose colour changed during the week: from where to where."""

    project_id: str
    project_name: str
    from_rag: str | None
    to_rag: str


@dataclass(frozen=True, slots=True)
class PortfolioRollup:
    """One portfolio's week: colours, summed figures, colour changes and top reasons."""

    portfolio_id: str
    name: str
    project_count: int
    colours: dict[str, int]
    figures: Figures
    colour_changes: tuple[ColourShift, ...]
    top_reasons: tuple[ReasonCount, ...]


@dataclass(frozen=True, slots=True)
class WeeklyDigest(DigestHeading):
    """A portfolio manager's week: a roll-up of every portfolio they own."""

    projects: tuple[DigestProject, ...]
    portfolios: tuple[PortfolioRollup, ...]
    period: Literal["weekly"] = "weekly"

    @property
    def has_news(self) -> bool:
        """Whether any portfolio of the reader has an active project to report on."""
        return bool(self.projects)


Digest = DailyDigest | WeeklyDigest


@dataclass(frozen=True, slots=True)
class DigestFrame(DigestHeading):
    """A digest's heading and the reader's local date (what "due within a week" counts from)."""

    today: date

    def heading(self) -> tuple[str, str, datetime, str]:
        """The heading's fields in order, for the digest built in this frame."""
        return self.recipient, self.period_key, self.since, self.timezone


@dataclass(frozen=True, slots=True)
class PortfolioOwned:
    """A portfolio as the weekly digest needs it."""

    id: str
    name: str


def digest_projects(
    projects: Iterable[ProjectRecord],
    changes: Iterable[HealthChange],
    silenced_until: Mapping[str, datetime] | None = None,
) -> tuple[DigestProject, ...]:
    """The projects with their changes of colour (oldest first), in the order given."""
    by_project: dict[str, list[ColourChange]] = {}
    for change in sorted(changes, key=lambda change: change.changed_at):
        by_project.setdefault(change.project_id, []).append(
            ColourChange(change.previous_rag, change.rag, change.changed_at)
        )
    silenced = silenced_until or {}
    return tuple(
        DigestProject(
            project_id=project.id,
            name=project.name,
            portfolio_id=project.portfolio_id,
            rag=colour_of(project),
            changes=tuple(by_project.get(project.id, ())),
            silenced_until=silenced.get(project.id),
        )
        for project in projects
    )


def daily_digest(
    frame: DigestFrame,
    projects: Sequence[DigestProject],
    alerts: Iterable[DigestAlert],
    actions: Iterable[OpenAction],
) -> DailyDigest:
    """The daily digest of `frame.recipient` (the alerts and actions of their projects)."""
    names = {project.project_id: project.name for project in projects}
    mine = [alert for alert in alerts if alert.project_id in names]
    mine.sort(key=lambda alert: (alert.severity != "critical", alert.opened_at))
    last_due = frame.today + ACTIONS_DUE_WITHIN
    due = sorted(
        (a for a in actions if a.project_id in names and a.due_date <= last_due),
        key=lambda action: (action.due_date, names[action.project_id], action.title),
    )
    return DailyDigest(
        *frame.heading(),
        projects=tuple(projects),
        alerts=tuple(alert for alert in mine if alert.kind != REPORT_OVERDUE),
        overdue_reports=tuple(alert for alert in mine if alert.kind == REPORT_OVERDUE),
        actions=tuple(
            ActionLine(
                project_id=action.project_id,
                project_name=names[action.project_id],
                title=action.title,
                owner=action.owner,
                due_date=action.due_date,
                days_overdue=max(0, (frame.today - action.due_date).days),
            )
            for action in due
        ),
    )


def weekly_digest(
    frame: DigestFrame,
    portfolios: Sequence[PortfolioOwned],
    projects: Sequence[ProjectRecord],
    shown: Sequence[DigestProject],
) -> WeeklyDigest:
    """The weekly digest of `frame.recipient`: one roll-up per portfolio, by name; `shown` are
    `projects` as digests list them (with their changes of colour during the week)."""
    rollups = []
    for portfolio in sorted(portfolios, key=lambda portfolio: (portfolio.name, portfolio.id)):
        members = [project for project in projects if project.portfolio_id == portfolio.id]
        listed = [project for project in shown if project.portfolio_id == portfolio.id]
        rollups.append(
            PortfolioRollup(
                portfolio_id=portfolio.id,
                name=portfolio.name,
                project_count=len(members),
                colours=colour_counts(members),
                figures=summed_figures(members),
                colour_changes=tuple(
                    ColourShift(p.project_id, p.name, p.changes[0].previous_rag, p.changes[-1].rag)
                    for p in listed
                    if p.changes
                ),
                top_reasons=tuple(top_reasons(members)),
            )
        )
    owned = {portfolio.id for portfolio in portfolios}
    return WeeklyDigest(
        *frame.heading(),
        projects=tuple(project for project in shown if project.portfolio_id in owned),
        portfolios=tuple(rollups),
    )
