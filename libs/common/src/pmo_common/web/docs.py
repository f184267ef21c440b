"""The interactive API documentation (/docs, /redoc), each page under a policy that fits it.

FastAPI's pages load Swagger UI and ReDoc from jsDelivr and start them with a small inline
script. The strict API policy would block all of it, so these routes serve FastAPI's own pages
with a Content-Security-Policy allowing exactly those assets: scripts from jsDelivr plus the
page's inline scripts by their SHA-256 hash (no 'unsafe-inline' for scripts), styles and the
favicon the pages name, data: images (Swagger UI's icons), blob: workers (ReDoc's search) and
the OpenAPI document from the service itself.
"""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse

DOCS_URL = "/docs"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
REDOC_URL = "/redoc"

_JSDELIVR = "https://cdn.jsdelivr.net"
_FAVICON_HOST = "https://fastapi.tiangolo.com"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)

SWAGGER_UI_POLICY = (
    "default-src 'none'; script-src {scripts}; style-src " + _JSDELIVR + " 'unsafe-inline'; "
    "img-src 'self' data: " + _FAVICON_HOST + "; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
REDOC_POLICY = (
    "default-src 'none'; script-src {scripts}; "
    "style-src 'unsafe-inline' https://fonts.googleapis.com; font-src https://fonts.gstatic.com; "
    "img-src 'self' data: " + _FAVICON_HOST + "; connect-src 'self'; worker-src blob:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


def script_sources(html: str) -> str:
    """jsDelivr plus the SHA-256 hash of each inline script of the page."""
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in _INLINE_SCRIPT.findall(html)
    ]
    return " ".join([_JSDELIVR, *hashes])


def with_policy(page: HTMLResponse, policy: str) -> HTMLResponse:
    """The page with its Content-Security-Policy, script hashes filled in."""
    html = bytes(page.body).decode()
    return HTMLResponse(
        html, headers={"Content-Security-Policy": policy.format(scripts=script_sources(html))}
    )


def install_docs(app: FastAPI) -> None:
    """Serve /docs, /docs/oauth2-redirect and /redoc (create the app with docs_url=None)."""
    openapi_path = app.openapi_url or "/openapi.json"

    def _root(request: Request) -> str:
        return str(request.scope.get("root_path", "")).rstrip("/")

    async def swagger_ui(request: Request) -> HTMLResponse:
        root = _root(request)
        page = get_swagger_ui_html(
            openapi_url=root + openapi_path,
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=root + OAUTH2_REDIRECT_URL,
            init_oauth=app.swagger_ui_init_oauth,
            swagger_ui_parameters=app.swagger_ui_parameters,
        )
        return with_policy(page, SWAGGER_UI_POLICY)

    async def oauth2_redirect(request: Request) -> HTMLResponse:
        return with_policy(get_swagger_ui_oauth2_redirect_html(), SWAGGER_UI_POLICY)

    async def redoc(request: Request) -> HTMLResponse:
        page = get_redoc_html(
            openapi_url=_root(request) + openapi_path, title=f"{app.title} - ReDoc"
        )
        return with_policy(page, REDOC_POLICY)

    app.add_route(DOCS_URL, swagger_ui, include_in_schema=False)
    app.add_route(OAUTH2_REDIRECT_URL, oauth2_redirect, include_in_schema=False)
    app.add_route(REDOC_URL, redoc, include_in_schema=False)
