"""The web view's routes under /ui/, for the app to include (main.py)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse
from pmo_common.problems import ProblemException

from pmo_monitoring.ui import pages, sign_in
from pmo_monitoring.ui.page_route import PageRoute
from pmo_monitoring.ui.rendering import UI_PREFIX
from pmo_monitoring.ui.translation import _

unknown_pages = APIRouter(prefix=UI_PREFIX, route_class=PageRoute, include_in_schema=False)


@unknown_pages.get("/{path:path}", response_class=HTMLResponse)
async def no_such_page(path: str) -> Response:
    """Any other address under /ui/: a 404 page like the view's other errors, not the API's
    problem+json (included last, so it only catches what no page matched)."""
    raise ProblemException(404, _("Page not found"), _("There is no page at this address."))


router = APIRouter()
router.include_router(sign_in.router)
router.include_router(pages.router)
router.include_router(unknown_pages)
