"""Routes whose errors are pages: a refusal or a bad link reads as HTML, in plain words.

The API answers problem+json; a person following a link deserves a page. `PageRoute` renders
the same problems (401, 403, 404, 422...) with the error template, and keeps their status and
headers, so the view needs no exception handler of its own in the app. It also chooses the
language of the request's pages (Accept-Language, else PMO_DEFAULT_LOCALE), errors included.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pmo_common.problems import ProblemException

from pmo_monitoring.api.languages import requested_locale
from pmo_monitoring.ui.rendering import render_page
from pmo_monitoring.ui.translation import _, page_language, said, use_page_language


def error_page(request: Request, problem: ProblemException) -> Response:
    """The page of a problem: its title and detail, and a way on (sign in, or the portfolio).

    A refusal reads as what it means for the reader; its detail says why, as the API's does
    (in the page's language where monitoring wrote it as a phrase).
    """
    title = _("You cannot open this page") if problem.status == 403 else problem.title
    return render_page(
        request,
        "error.html",
        {"status": problem.status, "title": said(title), "detail": said(problem.detail)},
        status_code=problem.status,
        headers=problem.headers,
    )


def invalid_link(error: RequestValidationError) -> ProblemException:
    """A 422 naming each part of the link that is refused, as the API's problems do (the
    validator's own words, in English)."""
    reasons = [
        f"{'.'.join(str(part) for part in item.get('loc', ()))}: {item.get('msg', 'invalid')}"
        for item in error.errors()
    ]
    return ProblemException(422, _("This link is not valid"), "; ".join(reasons))


class PageRoute(APIRoute):
    """An APIRoute that answers its problems as pages instead of problem+json."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer_with_pages(request: Request) -> Response:
            with use_page_language(page_language(requested_locale(request))):
                try:
                    return await handler(request)
                except ProblemException as problem:
                    return error_page(request, problem)
                except RequestValidationError as error:
                    return error_page(request, invalid_link(error))

        return answer_with_pages
