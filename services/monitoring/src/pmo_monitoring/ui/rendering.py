"""Rendering a page: the Jinja2 environment, and the headers every page of the view carries.

Templates are autoescaped, marked for translation (the i18n extension, with translation.py's
callables) and fail on an undefined name instead of printing nothing. Every page answers with a
Content-Security-Policy that allows no script at all: styles from the service itself, images
only as data: URLs (the empty favicon), forms posting back to the service.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined

from pmo_monitoring.api.languages import name_language
from pmo_monitoring.ui.formatting import FILTERS
from pmo_monitoring.ui.translation import _, current_language, ngettext

PAGE_CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
"""No script-src: default-src 'none' forbids every script, inline or not."""

PAGE_HEADERS: Mapping[str, str] = {
    "Content-Security-Policy": PAGE_CONTENT_SECURITY_POLICY,
    # Pages show one caller's projects: no shared cache may keep them.
    "Cache-Control": "no-store",
    # same-origin, not no-referrer: with no-referrer a browser sends `Origin: null` on the
    # sign-in form, which ensure_same_origin must refuse.
    "Referrer-Policy": "same-origin",
}

UI_PREFIX = "/ui"

_environment = Environment(
    loader=PackageLoader("pmo_monitoring.ui", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.install_gettext_callables(  # type: ignore[attr-defined]
    gettext=_, ngettext=ngettext, newstyle=True
)
_environment.filters.update(FILTERS)


def ui_base(request: Request) -> str:
    """The view's base path, behind a proxy's path prefix (root_path) too."""
    return str(request.scope.get("root_path", "")).rstrip("/") + UI_PREFIX


def render_page(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """A template rendered as an HTML page with the view's headers (plus `headers`), in the
    request's language (named by `lang` and `Content-Language`)."""
    language = current_language().code
    html = _environment.get_template(template).render(
        {
            "ui": ui_base(request),
            "lang": language,
            "signed_in_by": getattr(request.state, "signed_in_by", None),
            "caller": getattr(request.state, "caller", None),
            **context,
        }
    )
    answer = HTMLResponse(
        html, status_code=status_code, headers={**PAGE_HEADERS, **(headers or {})}
    )
    name_language(answer, language)
    return answer
