"""A digest laid out for reading: a subject, a few sentences, and small tables.

The plain-text and the HTML part of the e-mail are both rendered from this one layout
(domain/digest_email.py, domain/digest_html.py), so they always say the same thing. A colour is
a cell with a RAG: its text is the label (RED, AMBER, ...), which the HTML also paints.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from pmo_notifications.domain.digest_content import (
    ColourChange,
    DailyDigest,
    Digest,
    DigestAlert,
    DigestProject,
    PortfolioRollup,
    WeeklyDigest,
)
from pmo_notifications.domain.digest_rollup import COLOURS, Figures
from pmo_notifications.domain.email_composition import SUBJECT_PREFIX


@dataclass(frozen=True, slots=True)
class Cell:
    """One table cell; `rag` makes it a colour label. The plain text, which has no column
    headings, says `said_as` before the value (e.g. "due 2026-03-04")."""

    text: str
    rag: str | None = None
    said_as: str | None = None


@dataclass(frozen=True, slots=True)
class Section:
    """A heading, an optional sentence under it, and a small table."""

    heading: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str | None = None


@dataclass(frozen=True, slots=True)
class DigestView:
    """Everything a digest e-mail says, in reading order."""

    subject: str
    intro: tuple[str, ...]
    sections: tuple[Section, ...]
    closing: str


# An alert's severity painted as the colour it corresponds to.
_SEVERITY_RAG = {"critical": "red", "warning": "amber"}


def colour_label(rag: str | None) -> str:
    """The text label of a colour (`RED`), `UNKNOWN` when there is none."""
    return (rag or "unknown").upper()


def digest_view(digest: Digest) -> DigestView:
    """The layout of a daily or weekly digest."""
    if isinstance(digest, DailyDigest):
        return _daily_view(digest)
    return _weekly_view(digest)


def _daily_view(digest: DailyDigest) -> DigestView:
    clock = _Clock(digest.timezone)
    since = clock.time(digest.since)
    alerts = len(digest.alerts) + len(digest.overdue_reports)
    summary = _colour_summary(project.rag for project in digest.projects)
    subject = f"{SUBJECT_PREFIX} Daily digest {digest.period_key}: {summary}"
    if alerts:
        subject += f", {_count(alerts, 'open alert')}"
    sections = [
        Section(
            "Your projects",
            ("Project", "Colour", f"Changes since {since}"),
            tuple(
                (Cell(p.name), Cell(colour_label(p.rag), p.rag), Cell(_changes(p, clock)))
                for p in digest.projects
            ),
        ),
        Section(
            "Open alerts",
            ("Project", "Severity", "Alert", "Open since"),
            tuple(_alert_row(alert, clock, severity=True) for alert in digest.alerts),
        ),
        Section(
            "Overdue status reports",
            ("Project", "Alert", "Open since"),
            tuple(_alert_row(alert, clock, severity=False) for alert in digest.overdue_reports),
        ),
        Section(
            "Recovery actions due within 7 days or overdue",
            ("Project", "Action", "Owner", "Due"),
            tuple(
                (
                    Cell(action.project_name),
                    Cell(action.title),
                    Cell(action.owner or "nobody yet", said_as="owner"),
                    Cell(_due(action.due_date.isoformat(), action.days_overdue), said_as="due"),
                )
                for action in digest.actions
            ),
        ),
    ]
    return DigestView(
        subject=subject,
        intro=(
            f"Here is your daily digest for {digest.period_key}: your active projects, what "
            f"changed since {since}, and what needs your attention.",
            f"Times are in {digest.timezone}.",
        ),
        sections=tuple(section for section in sections if section.rows),
        closing="You receive this digest because you manage these projects. A day with nothing "
        "new and nothing waiting for you sends no digest.",
    )


def _weekly_view(digest: WeeklyDigest) -> DigestView:
    clock = _Clock(digest.timezone)
    since = clock.time(digest.since)
    summary = _colour_summary(project.rag for project in digest.projects)
    names = ", ".join(portfolio.name for portfolio in digest.portfolios)
    sections: list[Section] = []
    for portfolio in digest.portfolios:
        sections.extend(_portfolio_sections(portfolio, digest.projects))
    return DigestView(
        subject=f"{SUBJECT_PREFIX} Weekly digest {digest.period_key} ({names}): {summary}",
        intro=(
            f"Here is your weekly digest for {digest.period_key}: each portfolio you manage "
            f"rolled up, the projects that changed colour since {since}, and the reasons "
            "projects are amber or red most often.",
            f"Times are in {digest.timezone}.",
        ),
        sections=tuple(sections),
        closing="You receive this digest because you manage these portfolios.",
    )


def _portfolio_sections(
    portfolio: PortfolioRollup, projects: tuple[DigestProject, ...]
) -> list[Section]:
    name = portfolio.name
    counts = tuple((Cell(colour_label(c), c), Cell(str(portfolio.colours[c]))) for c in COLOURS)
    members = [project for project in projects if project.portfolio_id == portfolio.portfolio_id]
    sections = [
        Section(
            f"Portfolio {name}: {_count(portfolio.project_count, 'active project')}",
            ("Colour", "Projects"),
            counts,
        ),
        Section(
            f"Earned value of {name}",
            ("Figure", "Value"),
            _figure_rows(portfolio.figures),
            note=f"Summed over the {_count(portfolio.figures.projects_with_figures, 'project')} "
            "with earned-value figures; CPI = EV / AC and SPI = EV / PV from the sums.",
        ),
        Section(
            f"Projects of {name} that changed colour this week",
            ("Project", "From", "To"),
            tuple(
                (
                    Cell(shift.project_name),
                    Cell(colour_label(shift.from_rag), shift.from_rag, said_as="from"),
                    Cell(colour_label(shift.to_rag), shift.to_rag, said_as="to"),
                )
                for shift in portfolio.colour_changes
            ),
        ),
        Section(
            f"Top reasons in {name} (amber and red projects)",
            ("Reason", "Projects"),
            tuple((Cell(r.code), Cell(str(r.count))) for r in portfolio.top_reasons),
        ),
        Section(
            f"Projects of {name}",
            ("Project", "Colour"),
            tuple((Cell(p.name), Cell(colour_label(p.rag), p.rag)) for p in members),
        ),
    ]
    return [section for section in sections if section.rows]


def _figure_rows(figures: Figures) -> tuple[tuple[Cell, ...], ...]:
    money = [("EV", figures.ev), ("PV", figures.pv), ("AC", figures.ac)]
    money += [("BAC", figures.bac), ("EAC", figures.eac)]
    rows = [(Cell(label), Cell(f"{value:,.0f}")) for label, value in money]
    for label, ratio in (("CPI", figures.cpi), ("SPI", figures.spi)):
        rows.append((Cell(label), Cell("n/a" if ratio is None else f"{ratio:.2f}")))
    return tuple(rows)


class _Clock:
    """Instants as the reader's local time."""

    def __init__(self, timezone: str) -> None:
        self._zone = ZoneInfo(timezone)

    def time(self, instant: datetime) -> str:
        return f"{instant.astimezone(self._zone):%Y-%m-%d %H:%M}"


def _alert_row(alert: DigestAlert, clock: _Clock, *, severity: bool) -> tuple[Cell, ...]:
    acknowledged = " (acknowledged)" if alert.status != "open" else ""
    shown = Cell(alert.severity.upper(), _SEVERITY_RAG.get(alert.severity))
    return (
        Cell(alert.project_name),
        *((shown,) if severity else ()),
        Cell(alert.title + acknowledged),
        Cell(clock.time(alert.opened_at), said_as="open since"),
    )


def _changes(project: DigestProject, clock: _Clock) -> str:
    said = [_change(change, clock) for change in project.changes] or ["no change"]
    if project.silenced_until is not None:
        said.append(f"alerts silenced until {clock.time(project.silenced_until)}")
    return "; ".join(said)


def _change(change: ColourChange, clock: _Clock) -> str:
    return (
        f"{colour_label(change.previous_rag)} to {colour_label(change.rag)} "
        f"on {clock.time(change.changed_at)}"
    )


def _due(day: str, days_overdue: int) -> str:
    return f"{day} ({_count(days_overdue, 'day')} overdue)" if days_overdue else day


def _colour_summary(colours: Iterable[str]) -> str:
    listed = list(colours)
    parts = [f"{listed.count(c)} {c}" for c in COLOURS if listed.count(c)]
    return f"{', '.join(parts) or 'none'} of {_count(len(listed), 'project')}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
