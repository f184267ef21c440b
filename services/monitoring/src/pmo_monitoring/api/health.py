"""Routes of health: one project's, and the portfolio roll-up."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pmo_common.auth.dependencies import CurrentPrincipal
from pmo_common.web.app_factory import SessionDep
from pmo_common.web.pagination import PageDep, make_page

from pmo_monitoring.api.access import ensure_can_read, load_project, manager_filter
from pmo_monitoring.api.schemas import HealthOut, PortfolioHealthOut, ProjectRagOut
from pmo_monitoring.db import projection_repository as projections
from pmo_monitoring.handlers.health_assessment import today_utc
from pmo_monitoring.handlers.health_queries import portfolio_health, project_health

router = APIRouter(prefix="/v1", tags=["health"])


@router.get("/projects/{project_id}/health", response_model=HealthOut)
async def read_project_health(
    project_id: str, principal: CurrentPrincipal, session: SessionDep
) -> HealthOut:
    """A project's RAG, reasons and earned-value metrics as of today."""
    project = await load_project(session, project_id)
    ensure_can_read(principal, project)
    return HealthOut.model_validate(await project_health(session, project, today=today_utc()))


@router.get("/portfolio/health", response_model=PortfolioHealthOut)
async def read_portfolio_health(
    principal: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
    portfolio_id: Annotated[str | None, Query(max_length=36)] = None,
    program_id: Annotated[str | None, Query(max_length=36)] = None,
    include_closed: Annotated[
        bool, Query(description="Count closed projects too (left out by default)")
    ] = False,
) -> PortfolioHealthOut:
    """Roll-up over the projects the caller may see: sums, indices from the sums, RAG counts.

    `limit` and `offset` page the list of projects (worst RAG first); the figures always
    cover every matching project.
    """
    projects = await projections.list_projects(
        session,
        manager=manager_filter(principal),
        portfolio_id=portfolio_id,
        program_id=program_id,
        include_closed=include_closed,
    )
    view = await portfolio_health(
        session,
        projects,
        today=today_utc(),
        page=page,
        portfolio_id=portfolio_id,
        program_id=program_id,
    )
    listed = [ProjectRagOut.model_validate(item) for item in view.pop("projects")]
    return PortfolioHealthOut.model_validate({**view, "projects": make_page(listed, page)})
