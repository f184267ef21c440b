"""The project page's content: RAG and reasons, both charts, forecast and the latest report.

Read through the handlers of GET /v1/projects/{id}/health, its history and the status
reports, with the API's access rule (a project manager reads only their own projects).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pmo_common.auth.principal import Principal
from pmo_common.web.pagination import MAX_PAGE_SIZE, PageRequest
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.api.access import ensure_can_read
from pmo_monitoring.api.schemas import HealthOut, HealthPointOut, StatusReportOut
from pmo_monitoring.domain.records import ProjectContext
from pmo_monitoring.handlers.health_queries import health_history, project_health
from pmo_monitoring.handlers.portfolio_members import with_portfolios
from pmo_monitoring.handlers.project_queries import load_project
from pmo_monitoring.handlers.report_queries import get_report
from pmo_monitoring.ui.follow_up_links import FollowUpAddresses, project_follow_ups
from pmo_monitoring.ui.project_charts import index_trend, s_curve
from pmo_monitoring.ui.translation import said

HISTORY_PAGES = 5
"""At most this many pages of MAX_PAGE_SIZE points (years of weekly reports) are drawn."""


async def _history(session: AsyncSession, context: ProjectContext) -> list[HealthPointOut]:
    """The health history, oldest first, page after page up to HISTORY_PAGES of them."""
    points: list[HealthPointOut] = []
    for number in range(HISTORY_PAGES):
        page = PageRequest(limit=MAX_PAGE_SIZE, offset=number * MAX_PAGE_SIZE)
        found = await health_history(session, context, since=None, until=None, page=page)
        points += [HealthPointOut.model_validate(point) for point in found[:MAX_PAGE_SIZE]]
        if len(found) <= MAX_PAGE_SIZE:
            break
    return points


async def project_page(
    session: AsyncSession,
    principal: Principal,
    *,
    project_id: str,
    today: date,
    addresses: FollowUpAddresses,
) -> dict[str, Any]:
    """Everything the project template shows; 404 for an unknown project, 403 for another's."""
    context = await load_project(session, project_id=project_id)
    ensure_can_read(await with_portfolios(session, principal), context.project)
    health = HealthOut.model_validate(said(await project_health(session, context, today=today)))
    points = await _history(session, context)
    latest = None
    if health.last_report_id is not None:
        stored = await get_report(session, project_id=project_id, report_id=health.last_report_id)
        latest = StatusReportOut.model_validate(stored)
    return {
        "project": context.project,
        "health": health,
        "points": points,
        "latest": latest,
        "charts": (s_curve(context.project, health, points), index_trend(health, points)),
        "links": await project_follow_ups(session, project_id, addresses),
        "today": today,
    }
