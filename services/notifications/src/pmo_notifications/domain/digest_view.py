"""A digest laid out for reading: a subject, a few sentences, and small tables.

The plain-text and the HTML part of the e-mail are both rendered from this one layout
(domain/digest_email.py, domain/digest_html.py), so they always say the same thing. A colour is
a cell with a RAG: its text is the label (RED, AMBER, ...), which the HTML also paints.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from pmo_notifications.domain.digest_content import (
    ActionLine,
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
from pmo_notifications.domain.wording import (
    Wording,
    colour_label,
    colour_word,
    day_count,
    glossary_line,
    listed,
    severity_word,
)


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


def digest_view(wording: Wording, digest: Digest) -> DigestView:
    """The layout of a daily or weekly digest, in the reader's language."""
    if isinstance(digest, DailyDigest):
        return _daily_view(wording, digest)
    return _weekly_view(wording, digest)


def _daily_view(wording: Wording, digest: DailyDigest) -> DigestView:
    w = wording
    clock = _Clock(w, digest.timezone)
    since = clock.time(digest.since)
    alerts = len(digest.alerts) + len(digest.overdue_reports)
    summary = _colour_summary(w, [project.rag for project in digest.projects])
    subject = w._("Daily digest {period}: {summary}").format(
        period=digest.period_key, summary=summary
    )
    if alerts:
        subject = w.ngettext(
            "{subject}, {count} open alert", "{subject}, {count} open alerts", alerts
        ).format(subject=subject, count=alerts)
    sections = [
        Section(
            w._("Your projects"),
            (w._("Project"), w._("Colour"), w._("Changes since {since}").format(since=since)),
            tuple(
                (
                    Cell(p.name),
                    Cell(colour_label(w, p.rag), p.rag),
                    Cell(_changes(w, p, clock)),
                )
                for p in digest.projects
            ),
        ),
        Section(
            w._("Open alerts"),
            (w._("Project"), w._("Severity"), w._("Alert"), w._("Open since")),
            tuple(_alert_row(w, alert, clock, severity=True) for alert in digest.alerts),
        ),
        Section(
            w._("Overdue status reports"),
            (w._("Project"), w._("Alert"), w._("Open since")),
            tuple(_alert_row(w, alert, clock, severity=False) for alert in digest.overdue_reports),
        ),
        Section(
            w._("Recovery actions due within 7 days or overdue"),
            (w._("Project"), w._("Action"), w._("Owner"), w._("Due")),
            tuple(
                (
                    Cell(action.project_name),
                    Cell(action.title),
                    Cell(action.owner or w._("nobody yet"), said_as=w._("owner")),
                    Cell(_due(w, action), said_as=w._("due")),
                )
                for action in digest.actions
            ),
        ),
    ]
    return DigestView(
        subject=f"{SUBJECT_PREFIX} {subject}",
        intro=(
            w._(
                "Here is your daily digest for {period}: your active projects, what changed "
                "since {since}, and what needs your attention."
            ).format(period=digest.period_key, since=since),
            w._("Times are in {zone}.").format(zone=digest.timezone),
            *glossary_line(w),
        ),
        sections=tuple(section for section in sections if section.rows),
        closing=w._(
            "You receive this digest because you manage these projects. A day with "
            "nothing new and nothing waiting for you sends no digest."
        ),
    )


def _weekly_view(wording: Wording, digest: WeeklyDigest) -> DigestView:
    w = wording
    clock = _Clock(w, digest.timezone)
    summary = _colour_summary(w, [project.rag for project in digest.projects])
    names = ", ".join(portfolio.name for portfolio in digest.portfolios)
    sections: list[Section] = []
    for portfolio in digest.portfolios:
        sections.extend(_portfolio_sections(w, portfolio, digest.projects))
    subject = w._("Weekly digest {period} ({portfolios}): {summary}").format(
        period=digest.period_key, portfolios=names, summary=summary
    )
    return DigestView(
        subject=f"{SUBJECT_PREFIX} {subject}",
        intro=(
            w._(
                "Here is your weekly digest for {period}: each portfolio you manage rolled up, "
                "the projects that changed colour since {since}, and the reasons projects are "
                "amber or red most often."
            ).format(period=digest.period_key, since=clock.time(digest.since)),
            w._("Times are in {zone}.").format(zone=digest.timezone),
            *glossary_line(w),
        ),
        sections=tuple(sections),
        closing=w._("You receive this digest because you manage these portfolios."),
    )


def _portfolio_sections(
    wording: Wording, portfolio: PortfolioRollup, projects: tuple[DigestProject, ...]
) -> list[Section]:
    w = wording
    name = portfolio.name
    counts = tuple(
        (Cell(colour_label(w, c), c), Cell(w.number(portfolio.colours[c]))) for c in COLOURS
    )
    members = [project for project in projects if project.portfolio_id == portfolio.portfolio_id]
    with_figures = portfolio.figures.projects_with_figures
    sections = [
        Section(
            w.ngettext(
                "Portfolio {name}: {count} active project",
                "Portfolio {name}: {count} active projects",
                portfolio.project_count,
            ).format(name=name, count=portfolio.project_count),
            (w._("Colour"), w._("Projects")),
            counts,
        ),
        Section(
            w._("Earned value of {name}").format(name=name),
            (w._("Figure"), w._("Value")),
            _figure_rows(w, portfolio.figures),
            note=w.ngettext(
                "Summed over the {count} project with earned-value figures; CPI = EV / AC and "
                "SPI = EV / PV from the sums.",
                "Summed over the {count} projects with earned-value figures; CPI = EV / AC and "
                "SPI = EV / PV from the sums.",
                with_figures,
            ).format(count=with_figures),
        ),
        Section(
            w._("Projects of {name} that changed colour this week").format(name=name),
            (w._("Project"), w._("From"), w._("To")),
            tuple(
                (
                    Cell(shift.project_name),
                    Cell(colour_label(w, shift.from_rag), shift.from_rag, said_as=w._("from")),
                    Cell(colour_label(w, shift.to_rag), shift.to_rag, said_as=w._("to")),
                )
                for shift in portfolio.colour_changes
            ),
        ),
        Section(
            w._("Top reasons in {name} (amber and red projects)").format(name=name),
            (w._("Reason"), w._("Projects")),
            tuple((Cell(r.code), Cell(w.number(r.count))) for r in portfolio.top_reasons),
        ),
        Section(
            w._("Projects of {name}").format(name=name),
            (w._("Project"), w._("Colour")),
            tuple((Cell(p.name), Cell(colour_label(w, p.rag), p.rag)) for p in members),
        ),
    ]
    return [section for section in sections if section.rows]


def _figure_rows(wording: Wording, figures: Figures) -> tuple[tuple[Cell, ...], ...]:
    w = wording
    money = [("EV", figures.ev), ("PV", figures.pv), ("AC", figures.ac)]
    money += [("BAC", figures.bac), ("EAC", figures.eac)]
    rows = [(Cell(label), Cell(w.money(value, figures.currency))) for label, value in money]
    for label, ratio in (("CPI", figures.cpi), ("SPI", figures.spi)):
        shown = w._("n/a") if ratio is None else w.index(ratio)
        rows.append((Cell(label), Cell(shown)))
    return tuple(rows)


class _Clock:
    """Instants as the reader's local time, written as their language writes dates."""

    def __init__(self, wording: Wording, timezone: str) -> None:
        self._wording = wording
        self._zone = ZoneInfo(timezone)

    def time(self, instant: datetime) -> str:
        return self._wording.moment(instant.astimezone(self._zone))


def _alert_row(
    wording: Wording, alert: DigestAlert, clock: _Clock, *, severity: bool
) -> tuple[Cell, ...]:
    w = wording
    title = (
        w._("{title} (acknowledged)").format(title=alert.title)
        if alert.status != "open"
        else alert.title
    )
    shown = Cell(severity_word(w, alert.severity).upper(), _SEVERITY_RAG.get(alert.severity))
    return (
        Cell(alert.project_name),
        *((shown,) if severity else ()),
        Cell(title),
        Cell(clock.time(alert.opened_at), said_as=w._("open since")),
    )


def _changes(wording: Wording, project: DigestProject, clock: _Clock) -> str:
    w = wording
    said = [_change(w, change, clock) for change in project.changes] or [w._("no change")]
    if project.silenced_until is not None:
        said.append(
            w._("alerts silenced until {moment}").format(moment=clock.time(project.silenced_until))
        )
    return listed(w, said)


def _change(wording: Wording, change: ColourChange, clock: _Clock) -> str:
    return wording._("{previous} to {current} on {moment}").format(
        previous=colour_label(wording, change.previous_rag),
        current=colour_label(wording, change.rag),
        moment=clock.time(change.changed_at),
    )


def _due(wording: Wording, action: ActionLine) -> str:
    day = wording.day(action.due_date)
    if not action.days_overdue:
        return day
    return wording._("{day} ({days} overdue)").format(
        day=day, days=day_count(wording, action.days_overdue)
    )


def _colour_summary(wording: Wording, colours: list[str]) -> str:
    w = wording
    parts = [
        f"{w.number(colours.count(c))} {colour_word(w, c)}" for c in COLOURS if colours.count(c)
    ]
    return w.ngettext(
        "{colours} of {count} project", "{colours} of {count} projects", len(colours)
    ).format(colours=", ".join(parts) or w._("none"), count=len(colours))
