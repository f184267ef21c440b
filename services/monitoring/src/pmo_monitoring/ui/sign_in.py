"""Development sign-in: a form that takes a token and keeps it in a cookie; and sign-out.

The form is on in development and test only (or as PMO_MONITORING_UI_SIGN_IN_FORM says): in
production /ui/login is a page saying to sign in through the organisation's auth proxy.

These two forms are the view's only state-changing requests. The cookie is SameSite=Strict,
so no other site's request carries it (that covers cross-site request forgery of every page);
the forms also refuse a post from another origin (a forged sign-in needs no cookie).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pmo_common.problems import ProblemException
from pmo_common.web.app_factory import RuntimeDep

from pmo_monitoring.config import MonitoringSettings
from pmo_monitoring.ui.page_route import PageRoute
from pmo_monitoring.ui.page_session import (
    MAX_TOKEN_LENGTH,
    ensure_same_origin,
    forget_token,
    keep_token,
    verified_principal,
)
from pmo_monitoring.ui.rendering import UI_PREFIX, render_page, ui_base
from pmo_monitoring.ui.translation import _

FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
FORM_FIELDS = frozenset({"token"})
MAX_FORM_FIELDS = 8
"""More fields than this are not read at all (a form of the view has one)."""

router = APIRouter(prefix=UI_PREFIX, route_class=PageRoute, include_in_schema=False)


def sign_in_form_enabled(runtime: RuntimeDep) -> bool:
    """Whether the running app takes tokens at /ui/login (a route dependency)."""
    settings = runtime.settings
    return isinstance(settings, MonitoringSettings) and settings.sign_in_form_enabled


SignInFormEnabled = Annotated[bool, Depends(sign_in_form_enabled)]


def _form_page(request: Request, *, error: str | None = None, status_code: int = 200) -> Response:
    return render_page(
        request, "login.html", {"error": error, "form_enabled": True}, status_code=status_code
    )


def _proxy_sign_in_page(request: Request, *, status_code: int) -> Response:
    """Where the form is off: a page saying where people sign in instead."""
    return render_page(
        request, "login.html", {"error": None, "form_enabled": False}, status_code=status_code
    )


async def _posted_token(request: Request) -> str:
    """The `token` field of the posted form; 415 or 422 problems name what is wrong."""
    if request.headers.get("content-type", "").split(";")[0].strip() != FORM_MEDIA_TYPE:
        raise ProblemException(415, _("Unsupported form"), _("Send the sign-in form as a form."))
    try:
        fields = parse_qs(
            (await request.body()).decode(), keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise ProblemException(422, _("Invalid form"), _("The form could not be read.")) from exc
    unknown = sorted(set(fields) - FORM_FIELDS)
    if unknown:
        raise ProblemException(
            422, _("Invalid form"), _("Unknown field: {field}").format(field=unknown[0])
        )
    return fields.get("token", [""])[0].strip()


@router.get("/login", response_class=HTMLResponse)
async def sign_in_form(request: Request, enabled: SignInFormEnabled) -> Response:
    """The form that takes a token (development; production signs in at the auth proxy)."""
    return _form_page(request) if enabled else _proxy_sign_in_page(request, status_code=200)


@router.post("/login", response_class=HTMLResponse)
async def sign_in(request: Request, enabled: SignInFormEnabled) -> Response:
    """Verify the token as the API does, keep it in the cookie and open the portfolio."""
    if not enabled:
        return _proxy_sign_in_page(request, status_code=403)
    ensure_same_origin(request)
    token = await _posted_token(request)
    if not token:
        return _form_page(request, error=_("Paste a token to sign in."), status_code=422)
    if len(token) > MAX_TOKEN_LENGTH:
        return _form_page(request, error=_("That token is too long."), status_code=422)
    try:
        await verified_principal(request, token)
    except ProblemException as problem:
        return _form_page(request, error=problem.detail, status_code=problem.status)
    answer = RedirectResponse(ui_base(request) + "/", status_code=303)
    keep_token(answer, request, token)
    return answer


@router.post("/logout")
async def sign_out(request: Request) -> Response:
    """Forget the cookie and show the sign-in form again."""
    ensure_same_origin(request)
    answer = RedirectResponse(ui_base(request) + "/login", status_code=303)
    forget_token(answer, request)
    return answer
