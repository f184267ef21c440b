"""Who is looking at a page: the bearer token of an auth proxy, or the development cookie.

Production puts an authenticating proxy in front that passes `Authorization: Bearer <JWT>`;
development signs in at /ui/login, which keeps the token in an HttpOnly, SameSite=Strict
cookie (Secure over https) scoped to /ui. Either way the token is verified exactly as on
/v1 (pmo_common's `current_principal`): 401 without a valid one, 403 without a known role.
A token never travels in a URL.
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlsplit

from fastapi import Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials
from pmo_common.auth.dependencies import current_principal
from pmo_common.auth.principal import Principal
from pmo_common.problems import ProblemException

from pmo_monitoring.ui.rendering import UI_PREFIX
from pmo_monitoring.ui.translation import _

SIGN_IN_COOKIE = "pmo_ui_token"
MAX_TOKEN_LENGTH = 4096
"""Longer than any JWT this service issues or accepts, and within a browser's cookie limit."""

TokenSource = Literal["header", "cookie"]


def presented_token(request: Request) -> tuple[str, TokenSource] | None:
    """The bearer token of the Authorization header, else the cookie's; None without either."""
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _space, token = header.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip(), "header"
        return None  # a proxy that sends something else is not signed in by a stale cookie
    cookie = request.cookies.get(SIGN_IN_COOKIE)
    return (cookie, "cookie") if cookie else None


def not_signed_in() -> ProblemException:
    """The 401 of a page asked for without a token."""
    return ProblemException(
        401,
        _("Sign-in needed"),
        _("Sign in to see the dashboard: your session is missing, expired or not valid."),
        headers={"WWW-Authenticate": "Bearer"},
    )


async def verified_principal(request: Request, token: str) -> Principal:
    """The caller a token names, checked as every /v1 route checks it."""
    if len(token) > MAX_TOKEN_LENGTH:
        raise not_signed_in()
    credentials = HTTPAuthorizationCredentials(scheme="Bearer", credentials=token)
    try:
        return await current_principal(request, credentials)
    except ProblemException as problem:
        if problem.status == 401:
            raise not_signed_in() from problem
        raise


async def page_principal(request: Request) -> Principal:
    """The caller of a page; remembers how they signed in, for the page's header."""
    found = presented_token(request)
    if found is None:
        raise not_signed_in()
    token, source = found
    principal = await verified_principal(request, token)
    request.state.signed_in_by = source
    request.state.caller = principal
    return principal


PagePrincipal = Annotated[Principal, Depends(page_principal)]


def keep_token(response: Response, request: Request, token: str) -> None:
    """Set the sign-in cookie: script cannot read it, no other site's request carries it."""
    response.set_cookie(
        SIGN_IN_COOKIE,
        token,
        path=UI_PREFIX,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def forget_token(response: Response, request: Request) -> None:
    """Clear the sign-in cookie."""
    response.delete_cookie(
        SIGN_IN_COOKIE,
        path=UI_PREFIX,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def ensure_same_origin(request: Request) -> None:
    """Refuse a sign-in or sign-out form posted from another site (login CSRF).

    SameSite=Strict keeps the cookie off other sites' requests, which protects every page;
    a forged *sign-in* needs no cookie, so the two forms also check the browser's Origin.
    """
    origin = request.headers.get("origin")
    if origin is None:
        return  # not a browser form (curl, a test client): nothing to forge
    if origin == "null" or urlsplit(origin).netloc != request.headers.get("host"):
        raise ProblemException(
            403,
            _("Form from another site"),
            _("This form can only be sent from the dashboard itself."),
        )
