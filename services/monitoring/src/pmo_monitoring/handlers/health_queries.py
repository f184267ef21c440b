"""Read models of health: one project's, its history, and the roll-up over a set of projects."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import date
from typing import Any, Literal

from pmo_common.web.pagination import PageRequest
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db import health_repository as healths
from pmo_monitoring.db import projection_repository as projections
from pmo_monitoring.db import report_repository as reports
from pmo_monitoring.domain.earned_value import METRIC_DECIMALS
from pmo_monitoring.domain.health_rules import assess_health
from pmo_monitoring.domain.portfolio import (
    SUMMED_FIGURES,
    CurrencyTotals,
    PortfolioHealth,
    ProjectHealthSnapshot,
    roll_up,
)
from pmo_monitoring.domain.rag_as_of_today import rag_as_of_today
from pmo_monitoring.domain.reasons import rag_rank
from pmo_monitoring.domain.records import (
    MonitoredProject,
    ProjectContext,
    metrics_record,
    reason_record,
    reason_records,
)
from pmo_monitoring.domain.reporting_cadence import NO_NEXT_REPORT_DUE, next_report_due
from pmo_monitoring.handlers.health_assessment import (
    ProjectAssessment,
    assess_project,
    thresholds_from,
)
from pmo_monitoring.handlers.health_details import health_details


async def project_health(
    session: AsyncSession, context: ProjectContext, *, today: date
) -> dict[str, Any]:
    """A project's health as of today, assessed from its latest report."""
    return health_view(context, await assess_project(session, context, today=today))


def health_view(context: ProjectContext, judged: ProjectAssessment) -> dict[str, Any]:
    """The health answer of an assessment (GET /v1/projects/{id}/health, and a filed report's)."""
    project = context.project
    assessment, in_use, latest = judged.assessment, judged.thresholds, judged.latest_report
    last_report_at = latest.as_of if latest is not None else None
    due = next_report_due(
        start_date=project.start_date, last_report_at=last_report_at, thresholds=in_use.thresholds
    )
    notes = [*assessment.notes, *([NO_NEXT_REPORT_DUE] if due is None else [])]
    return {
        "project_id": project.id,
        "project_name": project.name,
        "status": project.status,
        "methodology": project.methodology,
        "currency": project.currency,
        "rag": assessment.rag,
        "at_risk": assessment.at_risk,
        "metrics": metrics_record(assessment.metrics),
        "reasons": reason_records(assessment.reasons),
        "notes": notes,
        "as_of": assessment.as_of,
        "last_report_at": last_report_at,
        "last_report_id": latest.id if latest is not None else None,
        "next_report_due": due,
        "thresholds": asdict(in_use.thresholds),
        "thresholds_source": in_use.source,
        "methodology_version": in_use.methodology_version,
        # The verdict's fields as answered; its project_id is the answer's own already.
        "compliance": asdict(context.compliance) if context.compliance is not None else None,
        **health_details(assessment, project.end_date),
    }


HISTORY_METRICS = ("pv", "ev", "ac", "bac", "cpi", "spi", "spi_t", "eac", "vac", "tcpi")


async def health_history(
    session: AsyncSession,
    context: ProjectContext,
    *,
    since: date | None,
    until: date | None,
    page: PageRequest,
) -> list[dict[str, Any]]:
    """One point per report in [since, until], oldest first, up to page.limit + 1 of them.

    Points come from the one stored when each report was filed (its health as of its own
    date). A report filed before points were kept has none; it is judged on read, the same
    way, against the current baseline and thresholds.
    """
    project = context.project
    rows = await reports.reports_with_points(
        session,
        project_id=project.id,
        since=since,
        until=until,
        page=page,
    )
    points: list[dict[str, Any]] = []
    for item in rows:
        report = item.report
        if item.point is not None:
            rag, metrics = item.point.rag, item.point.metrics
        else:
            thresholds = thresholds_from(context.methodology).thresholds
            as_of = report.as_of
            assessment = assess_health(
                project.baseline(), report.contents, thresholds, as_of, as_of
            )
            rag, metrics = assessment.rag, metrics_record(assessment.metrics)
        points.append(
            {
                "as_of": report.as_of,
                "report_id": report.id,
                "rag": rag,
                **{name: metrics.get(name) for name in HISTORY_METRICS},
                "forecast_end_date": metrics.get("forecast_end_date"),
            }
        )
    return points


def _money(value: float | None) -> float | None:
    return None if value is None else round(value, METRIC_DECIMALS)


def _totals_record(totals: CurrencyTotals) -> dict[str, Any]:
    money = ("ev", "pv", "ac", "bac", "eac", "cv", "sv", "vac", "cpi", "spi")
    return {
        "currency": totals.currency,
        "project_count": totals.project_count,
        **{name: _money(getattr(totals, name)) for name in money},
        "rag": totals.rag,
        "reasons": [reason_record(reason) for reason in totals.reasons],
    }


GroupBy = Literal["portfolio", "program"]


def _roll_up_record(rolled: PortfolioHealth) -> dict[str, Any]:
    """The figures of a roll-up: RAG, counts, the single currency's sums and indices, totals."""
    single = rolled.single_currency_totals
    return {
        "rag": rolled.rag,
        "rag_counts": asdict(rolled.rag_counts),
        "project_count": rolled.project_count,
        "reporting_count": rolled.reporting_count,
        "currency": single.currency if single is not None else None,
        **{
            name: _money(getattr(single, name)) if single is not None else None
            for name in ("ev", "pv", "ac", "bac", "eac", "cpi", "spi")
        },
        "totals": [_totals_record(totals) for totals in rolled.totals],
        "reasons": [reason_record(reason) for reason in rolled.reasons],
        "notes": list(rolled.notes),
    }


def _group_records(
    group_by: GroupBy,
    snapshots: Sequence[ProjectHealthSnapshot],
    projects: Sequence[MonitoredProject],
) -> list[dict[str, Any]]:
    """One roll-up per portfolio or programme (id None: projects outside any), worst first."""
    key_of = "portfolio_id" if group_by == "portfolio" else "program_id"
    groups: dict[str | None, list[ProjectHealthSnapshot]] = {}
    for snapshot, project in zip(snapshots, projects, strict=True):
        groups.setdefault(getattr(project, key_of), []).append(snapshot)
    records = [
        {
            "group_by": group_by,
            "id": key,
            **_roll_up_record(
                roll_up(group, portfolio_id=key if group_by == "portfolio" else None)
            ),
        }
        for key, group in groups.items()
    ]
    records.sort(key=lambda item: (-rag_rank(item["rag"]), item["id"] is None, item["id"] or ""))
    return records


async def portfolio_health(
    session: AsyncSession,
    *,
    manager: str | None,
    portfolio_id: str | None,
    program_id: str | None,
    include_closed: bool,
    today: date,
    page: PageRequest,
    group_by: GroupBy | None = None,
) -> dict[str, Any]:
    """Roll up the stored health of the matching projects; list them worst first, paged.

    `manager` restricts the projects to those one manager runs (None: every project). Each
    project's RAG is its stored one brought up to today (an overdue report turns it amber),
    so the roll-up agrees with GET /v1/projects/{id}/health without re-assessing every
    project. With `group_by`, `groups` adds one roll-up per portfolio or programme, computed
    the same way (sums, indices from the sums, RAG counts).
    """
    projects = await projections.list_projects(
        session,
        manager=manager,
        portfolio_id=portfolio_id,
        program_id=program_id,
        include_closed=include_closed,
    )
    stored = await healths.healths_of(session, project_ids=[project.id for project in projects])
    methodologies = await projections.all_methodologies(session)
    snapshots: list[ProjectHealthSnapshot] = []
    listed: list[dict[str, Any]] = []
    for project in projects:
        health = stored.get(project.id)
        last_report_at = health.last_report_at if health is not None else None
        stored_rag = health.rag if health is not None else None
        if project.closed:
            rag = stored_rag or "unknown"  # a closed project is no longer expected to report
        else:
            rag = rag_as_of_today(
                stored_rag,
                start_date=project.start_date,
                last_report_at=last_report_at,
                today=today,
                thresholds=thresholds_from(methodologies.get(project.methodology)).thresholds,
            )
        figures = {} if health is None else {name: health.metric(name) for name in SUMMED_FIGURES}
        snapshots.append(
            ProjectHealthSnapshot(
                project_id=project.id,
                rag=rag,
                currency=project.currency,
                portfolio_id=project.portfolio_id,
                **figures,
            )
        )
        listed.append(
            {
                "project_id": project.id,
                "name": project.name,
                "manager": project.manager,
                "portfolio_id": project.portfolio_id,
                "program_id": project.program_id,
                "status": project.status,
                "currency": project.currency,
                "rag": rag,
                "last_report_at": last_report_at,
            }
        )
    rolled = roll_up(snapshots, portfolio_id=portfolio_id)
    listed.sort(key=lambda item: (-rag_rank(item["rag"]), item["name"].casefold()))
    return {
        "portfolio_id": portfolio_id,
        "program_id": program_id,
        **_roll_up_record(rolled),
        "group_by": group_by,
        "groups": None if group_by is None else _group_records(group_by, snapshots, projects),
        "projects": listed[page.offset : page.offset + page.limit + 1],
    }
