"""GET /v1/portfolio/health as a file: the listed projects, one row each (docs/adr/0021).

The rows are the JSON's `projects.items` (same filters, same manager restriction, same order,
worst RAG first), every matching project instead of one page, up to the export cap. The
roll-up figures and `groups` stay in the JSON: a spreadsheet sums its own rows.
"""

from __future__ import annotations

from datetime import date

from fastapi import Response
from pmo_common.web.exports import (
    EXPORT_ROW_CAP,
    attribute_columns,
    export_response,
    too_many_rows,
)
from pmo_common.web.pagination import PageRequest
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.api.schemas import ProjectRagOut
from pmo_monitoring.handlers.portfolio_queries import portfolio_health

PROJECT_COLUMNS = attribute_columns(ProjectRagOut.model_fields)


async def portfolio_export(
    session: AsyncSession,
    *,
    media_type: str,
    manager: str | None,
    portfolio_id: str | None,
    program_id: str | None,
    include_closed: bool,
    today: date,
    or_in_portfolios: frozenset[str] = frozenset(),
) -> Response:
    """Every project the roll-up lists, as CSV or XLSX; 422 past the export cap."""
    view = await portfolio_health(
        session,
        manager=manager,
        portfolio_id=portfolio_id,
        program_id=program_id,
        include_closed=include_closed,
        today=today,
        page=PageRequest(limit=EXPORT_ROW_CAP, offset=0),  # one more tells "too many"
        or_in_portfolios=or_in_portfolios,
    )
    if len(view["projects"]) > EXPORT_ROW_CAP:
        raise too_many_rows(EXPORT_ROW_CAP)
    rows = [ProjectRagOut.model_validate(item) for item in view["projects"]]
    return export_response(
        media_type,
        PROJECT_COLUMNS,
        rows,
        filename=f"portfolio-health-{today.isoformat()}",
        sheet="Portfolio health",
    )
