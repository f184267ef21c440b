"""The view's pages: the portfolio (GET /ui/), a project (GET /ui/projects/{id}) and the
glossary (GET /ui/glossary)."""

from __future__ import annotations

from importlib.resources import files
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse
from pmo_common.web.app_factory import SessionDep
from pmo_common.web.pagination import MAX_OFFSET, PageRequest

from pmo_monitoring.handlers.glossary_queries import glossary_view
from pmo_monitoring.handlers.health_assessment import today_utc
from pmo_monitoring.ui.follow_up_links import FollowUpAddressesDep
from pmo_monitoring.ui.page_route import PageRoute
from pmo_monitoring.ui.page_session import PagePrincipal
from pmo_monitoring.ui.portfolio_page import portfolio_page
from pmo_monitoring.ui.project_page import project_page
from pmo_monitoring.ui.rendering import UI_PREFIX, render_page
from pmo_monitoring.ui.translation import said

PROJECTS_PER_PAGE = 100
STYLESHEET = (files("pmo_monitoring.ui") / "static" / "dashboard.css").read_bytes()

router = APIRouter(prefix=UI_PREFIX, route_class=PageRoute, include_in_schema=False)

GroupId = Annotated[str | None, Query(max_length=36)]


@router.get("/", response_class=HTMLResponse)
async def portfolio(
    request: Request,
    principal: PagePrincipal,
    session: SessionDep,
    portfolio_id: GroupId = None,
    program_id: GroupId = None,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Response:
    """The portfolio: roll-up figures, the heatmap of projects x signals, this week's changes."""
    content = await portfolio_page(
        session,
        principal,
        # The filter form sends an empty value for "all".
        portfolio_id=portfolio_id or None,
        program_id=program_id or None,
        page=PageRequest(limit=PROJECTS_PER_PAGE, offset=offset),
        today=today_utc(),
    )
    return render_page(request, "portfolio.html", content)


@router.get("/projects/{project_id}", response_class=HTMLResponse)
async def project(
    request: Request,
    project_id: str,
    principal: PagePrincipal,
    session: SessionDep,
    addresses: FollowUpAddressesDep,
) -> Response:
    """One project: RAG and reasons, S-curve, index trend, forecast and latest report."""
    content = await project_page(
        session, principal, project_id=project_id, today=today_utc(), addresses=addresses
    )
    return render_page(request, "project.html", content)


@router.get("/glossary", response_class=HTMLResponse)
async def glossary(
    request: Request,
    principal: PagePrincipal,
    session: SessionDep,
    methodology: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
) -> Response:
    """How every metric and signal is computed: GET /v1/glossary's content as a page, with the
    thresholds of `methodology` when given (the project page links with its own)."""
    content = said(await glossary_view(session, methodology=methodology))
    return render_page(request, "glossary.html", {"glossary": content})


@router.get("/static/dashboard.css")
async def stylesheet() -> Response:
    """The view's only stylesheet (public: the sign-in page needs it too)."""
    return Response(
        STYLESHEET,
        media_type="text/css",
        headers={"Cache-Control": "public, max-age=3600"},
    )
