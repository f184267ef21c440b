"""GET /v1/projects as a file: the projects the caller may see, one row each (docs/adr/0021).

The rows are the JSON's items (same filters, same manager restriction, newest first), every
matching project instead of one page, up to the export cap. A row holds the project's single
values; its lists (milestones, planned-value profile) stay in the JSON.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import Response
from pmo_common.web.exports import (
    EXPORT_ROW_CAP,
    attribute_columns,
    export_response,
    too_many_rows,
)
from pmo_common.web.pagination import PageRequest
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.api.schemas import ProjectOut
from pmo_intake.domain.portfolio_roles import ListScope
from pmo_intake.handlers import project_queries

LISTS = ("milestones", "planned_value_profile")
PROJECT_COLUMNS = attribute_columns(name for name in ProjectOut.model_fields if name not in LISTS)


async def project_export(
    session: AsyncSession,
    *,
    media_type: str,
    manager: str | None,
    status: str | None,
    portfolio_id: str | None,
    program_id: str | None,
    readable_by: ListScope | None,
) -> Response:
    """Every matching project, as CSV or XLSX; 422 past the export cap."""
    projects = await project_queries.list_projects(
        session,
        manager=manager,
        status=status,
        portfolio_id=portfolio_id,
        program_id=program_id,
        readable_by=readable_by,
        page=PageRequest(limit=EXPORT_ROW_CAP, offset=0),  # one more tells "too many"
    )
    if len(projects) > EXPORT_ROW_CAP:
        raise too_many_rows(EXPORT_ROW_CAP)
    today = datetime.now(UTC).date()
    return export_response(
        media_type,
        PROJECT_COLUMNS,
        [ProjectOut.model_validate(project) for project in projects],
        filename=f"projects-{today.isoformat()}",
        sheet="Projects",
    )
