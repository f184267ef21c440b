"""The portfolio page's content: the roll-up, a heatmap of projects x signals, colour changes.

The roll-up and its page of projects are GET /v1/portfolio/health's own (same handler, same
access rule: a project manager sees only their projects), so the page and the API agree. Each
listed project's signals come from its stored health (as the roll-up's RAG does), with a missed
report judged as of today; its colour a week ago from the point of history newest then.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from pmo_common.auth.principal import Principal
from pmo_common.web.pagination import PageRequest, make_page
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.api.access import manager_filter, portfolios_filter
from pmo_monitoring.domain.model import Rag
from pmo_monitoring.domain.rag_as_of_today import rag_as_of_today
from pmo_monitoring.domain.records import Methodology
from pmo_monitoring.domain.reporting_cadence import check_report_overdue
from pmo_monitoring.handlers.health_assessment import ThresholdsInUse, thresholds_from
from pmo_monitoring.handlers.portfolio_members import with_portfolios
from pmo_monitoring.handlers.portfolio_page_queries import (
    ProjectTimeline,
    all_methodologies,
    group_choices,
    project_timelines,
)
from pmo_monitoring.handlers.portfolio_queries import portfolio_health
from pmo_monitoring.ui.signal_cells import Cell, shown_signals, signal_cells
from pmo_monitoring.ui.translation import said

WEEK = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class HeatmapRow:
    """One project of the heatmap: its RAG as of today and one cell per signal."""

    project_id: str
    name: str
    manager: str
    rag: str
    last_report_at: date | None
    cells: Mapping[str, Cell]
    methodology: str | None = None
    """The methodology whose thresholds judge the project (None: the defaults), for its link to
    the glossary's thresholds."""


@dataclass(frozen=True, slots=True)
class ColourChange:
    """A listed project whose RAG today is not the one it had a week ago."""

    project_id: str
    name: str
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class Filters:
    """The portfolio and programme asked for, and those the caller's projects belong to."""

    portfolio_id: str | None
    program_id: str | None
    portfolios: tuple[str, ...]
    programs: tuple[str, ...]

    def query(self, **extra: Any) -> str:
        """The query string of these filters plus `extra` (None values left out)."""
        values = {"portfolio_id": self.portfolio_id, "program_id": self.program_id, **extra}
        return urlencode({key: value for key, value in values.items() if value is not None})


def rag_a_week_ago(
    timeline: ProjectTimeline, methodologies: Mapping[str, Methodology], week_ago: date
) -> Rag:
    """The RAG the roll-up would have listed a week ago: the newest point then, brought up to
    that day by the same rule (a missed report turns green and unknown amber)."""
    point = timeline.point_a_week_ago
    return rag_as_of_today(
        point[1] if point is not None else None,
        start_date=timeline.start_date,
        last_report_at=point[0] if point is not None else None,
        today=week_ago,
        thresholds=thresholds_from(methodologies.get(timeline.methodology)).thresholds,
    )


def _judging_methodology(timeline: ProjectTimeline | None, in_use: ThresholdsInUse) -> str | None:
    """The key of the methodology judging the project, None when the defaults do."""
    if timeline is None or in_use.source != "methodology":
        return None
    return timeline.methodology


def _row(
    listed: Mapping[str, Any],
    timeline: ProjectTimeline | None,
    methodologies: Mapping[str, Methodology],
    today: date,
) -> HeatmapRow:
    health = timeline.health if timeline is not None else None
    in_use = thresholds_from(
        methodologies.get(timeline.methodology) if timeline is not None else None
    )
    missed = False
    if timeline is not None and not timeline.closed:
        missed = (
            check_report_overdue(
                start_date=timeline.start_date,
                last_report_at=listed["last_report_at"],
                today=today,
                thresholds=in_use.thresholds,
            )
            is not None
        )
    return HeatmapRow(
        project_id=listed["project_id"],
        name=listed["name"],
        manager=listed["manager"],
        rag=listed["rag"],
        last_report_at=listed["last_report_at"],
        cells=signal_cells(
            health.metrics if health is not None else {},
            health.reasons if health is not None else (),
            reported=listed["last_report_at"] is not None,
            report_missed=missed,
        ),
        methodology=_judging_methodology(timeline, in_use),
    )


async def _filters(
    session: AsyncSession,
    principal: Principal,
    portfolio_id: str | None,
    program_id: str | None,
) -> Filters:
    """The choices come from the roll-up's own groups of the caller's open projects."""
    choices = await group_choices(
        session,
        manager=manager_filter(principal),
        or_in_portfolios=portfolios_filter(principal),
    )
    return Filters(portfolio_id, program_id, choices.portfolios, choices.programs)


async def portfolio_page(
    session: AsyncSession,
    principal: Principal,
    *,
    portfolio_id: str | None,
    program_id: str | None,
    page: PageRequest,
    today: date,
) -> dict[str, Any]:
    """Everything the portfolio template shows, for the projects `principal` may see."""
    principal = await with_portfolios(session, principal)
    view = await portfolio_health(
        session,
        manager=manager_filter(principal, portfolio_id=portfolio_id),
        or_in_portfolios=portfolios_filter(principal),
        portfolio_id=portfolio_id,
        program_id=program_id,
        include_closed=False,
        today=today,
        page=page,
    )
    listed = make_page(view.pop("projects"), page)
    week_ago = today - WEEK
    timelines = await project_timelines(
        session, [item["project_id"] for item in listed.items], week_ago=week_ago
    )
    methodologies = await all_methodologies(session)
    rows = [
        _row(item, timelines.get(item["project_id"]), methodologies, today) for item in listed.items
    ]
    changes = [
        ColourChange(row.project_id, row.name, before, row.rag)
        for row in rows
        if (timeline := timelines.get(row.project_id)) is not None
        and (before := rag_a_week_ago(timeline, methodologies, week_ago)) != row.rag
    ]
    return {
        "figures": said(view),
        "rows": rows,
        "signals": shown_signals(row.cells for row in rows),
        "changes": changes,
        "filters": await _filters(session, principal, portfolio_id, program_id),
        "listed": listed,
        "today": today,
        "week_ago": week_ago,
    }
