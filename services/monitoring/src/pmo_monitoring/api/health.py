"""Routes of health: one project's, and the portfolio roll-up."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pmo_common.problems import field_problem
from pmo_common.web.app_factory import SessionDep
from pmo_common.web.exports import JSON, NegotiatedMediaType, export_openapi
from pmo_common.web.pagination import PageDep, make_page

from pmo_monitoring.api.access import (
    ScopedCaller,
    ensure_can_read,
    manager_filter,
    portfolios_filter,
)
from pmo_monitoring.api.languages import AnswerLanguage
from pmo_monitoring.api.portfolio_export import portfolio_export
from pmo_monitoring.api.schemas import (
    GroupBy,
    HealthHistoryOut,
    HealthOut,
    HealthPointOut,
    PortfolioHealthOut,
    ProjectRagOut,
)
from pmo_monitoring.handlers.health_assessment import today_utc
from pmo_monitoring.handlers.health_queries import health_history, project_health
from pmo_monitoring.handlers.portfolio_queries import portfolio_health
from pmo_monitoring.handlers.project_queries import load_project
from pmo_monitoring.languages import in_language

router = APIRouter(prefix="/v1", tags=["health"])


@router.get("/projects/{project_id}/health", response_model=HealthOut)
async def read_project_health(
    project_id: str, principal: ScopedCaller, session: SessionDep, language: AnswerLanguage
) -> HealthOut:
    """A project's RAG, reasons and earned-value metrics as of today.

    Reasons, notes and the forecast are in the language Accept-Language asks for.
    """
    context = await load_project(session, project_id=project_id)
    ensure_can_read(principal, context.project)
    health = await project_health(session, context, today=today_utc())
    return HealthOut.model_validate(in_language(health, language))


@router.get("/projects/{project_id}/health/history", response_model=HealthHistoryOut)
async def read_project_health_history(
    project_id: str,
    principal: ScopedCaller,
    session: SessionDep,
    page: PageDep,
    since: Annotated[
        date | None, Query(alias="from", description="First as_of to include (a date)")
    ] = None,
    until: Annotated[
        date | None, Query(alias="to", description="Last as_of to include (a date)")
    ] = None,
) -> HealthHistoryOut:
    """A project's health per status report, oldest first, for charts.

    Each point is the report judged as of its own as_of (RAG and earned-value figures), as
    stored when it was filed; a corrected day has one point, its latest revision.
    """
    if since is not None and until is not None and since > until:
        raise field_problem("query.to", f"{until} is before from ({since})")
    context = await load_project(session, project_id=project_id)
    ensure_can_read(principal, context.project)
    points = await health_history(session, context, since=since, until=until, page=page)
    listed = make_page([HealthPointOut.model_validate(point) for point in points], page)
    return HealthHistoryOut.model_validate(
        {
            **listed.model_dump(),
            "project_id": context.project.id,
            "currency": context.project.currency,
        }
    )


@router.get(
    "/portfolio/health",
    response_model=PortfolioHealthOut,
    responses=export_openapi("the listed projects (`projects.items`), one row each"),
)
async def read_portfolio_health(
    principal: ScopedCaller,
    language: AnswerLanguage,
    answer_as: NegotiatedMediaType,
    session: SessionDep,
    page: PageDep,
    portfolio_id: Annotated[str | None, Query(max_length=36)] = None,
    program_id: Annotated[str | None, Query(max_length=36)] = None,
    include_closed: Annotated[
        bool, Query(description="Count closed projects too (left out by default)")
    ] = False,
    group_by: Annotated[
        GroupBy | None,
        Query(description="Add `groups`: one roll-up per portfolio or per programme"),
    ] = None,
) -> PortfolioHealthOut | Response:
    """Roll-up over the projects the caller may see: sums, indices from the sums, RAG counts.

    `limit` and `offset` page the list of projects (worst RAG first); the figures always
    cover every matching project. `group_by=portfolio|program` adds `groups`, one roll-up per
    portfolio or programme of those projects (id null: projects outside any).

    `Accept: text/csv` or the XLSX media type answers every listed project as a file instead
    (same filters; `limit`, `offset` and `group_by` do not apply), see docs/adr/0021.
    """
    if answer_as != JSON:
        return await portfolio_export(
            session,
            media_type=answer_as,
            manager=manager_filter(principal, portfolio_id=portfolio_id),
            or_in_portfolios=portfolios_filter(principal),
            portfolio_id=portfolio_id,
            program_id=program_id,
            include_closed=include_closed,
            today=today_utc(),
        )
    view = await portfolio_health(
        session,
        manager=manager_filter(principal, portfolio_id=portfolio_id),
        or_in_portfolios=portfolios_filter(principal),
        portfolio_id=portfolio_id,
        program_id=program_id,
        include_closed=include_closed,
        today=today_utc(),
        page=page,
        group_by=group_by,
    )
    listed = [ProjectRagOut.model_validate(item) for item in view.pop("projects")]
    return PortfolioHealthOut.model_validate(
        {**in_language(view, language), "projects": make_page(listed, page)}
    )
