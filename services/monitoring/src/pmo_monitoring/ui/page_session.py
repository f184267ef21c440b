"""Who is looking at a page: the bearer token of an auth proxy, or the development cookie.

Production puts an authenticating proxy in front that passes `Authorization: Bearer <JWT>`;
development signs in at /ui/login, which keeps the token in an HttpOnly, SameSite=Strict
cookie (Secure over https) scoped to the view's path. Either way the token is verified exactly as on
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

from pmo_monitoring.ui.rendering import ui_base
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


def _first_forwarded(request: Request, header: str) -> str | None:
    """The first value of an X-Forwarded-* header (the one the client-facing proxy wrote)."""
    value = request.headers.get(header)
    return value.split(",")[0].strip() if value else None


def served_over_https(request: Request) -> bool:
    """Whether the browser reached the view over https: the request's own scheme, or a TLS
    proxy's `X-Forwarded-Proto: https` (uvicorn only trusts that header for the addresses in
    --forwarded-allow-ips; read here it can only add the Secure attribute, never remove it)."""
    forwarded = _first_forwarded(request, "x-forwarded-proto")
    return request.url.scheme == "https" or (forwarded or "").lower() == "https"


def keep_token(response: Response, request: Request, token: str) -> None:
    """Set the sign-in cookie: script cannot read it, no other site's request carries it.

    Its path is the view's own, behind a proxy's path prefix too (`/monitoring/ui`), or the
    browser would never send it back to the pages.
    """
    response.set_cookie(
        SIGN_IN_COOKIE,
        token,
        path=ui_base(request),
        httponly=True,
        samesite="strict",
        secure=served_over_https(request),
    )


def forget_token(response: Response, request: Request) -> None:
    """Clear the sign-in cookie (same name and path as it was set with)."""
    response.delete_cookie(
        SIGN_IN_COOKIE,
        path=ui_base(request),
        httponly=True,
        samesite="strict",
        secure=served_over_https(request),
    )


def ensure_same_origin(request: Request) -> None:
    """Refuse a sign-in or sign-out form posted from another site (login CSRF).

    SameSite=Strict keeps the cookie off other sites' requests, which protects every page;
    a forged *sign-in* needs no cookie, so the two forms also check the browser's Origin
    against the host the browser asked for: a proxy that rewrites Host says which one in
    `X-Forwarded-Host` (its first value), else it is the request's Host.
    """
    origin = request.headers.get("origin")
    if origin is None:
        return  # not a browser form (curl, a test client): nothing to forge
    asked_for = _first_forwarded(request, "x-forwarded-host") or request.headers.get("host")
    if origin == "null" or urlsplit(origin).netloc != asked_for:
        raise ProblemException(
            403,
            _("Form from another site"),
            _("This form can only be sent from the dashboard itself."),
        )
