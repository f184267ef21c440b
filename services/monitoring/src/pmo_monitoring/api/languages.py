"""The language of an answer: the one Accept-Language asks for, else PMO_DEFAULT_LOCALE.

Reasons, notes, forecasts and the glossary are phrases (domain/phrases.py); a route says them
in the caller's language with `in_language` and names it in `Content-Language`. Codes, field
names and problem details stay as they are: they are the contract, not prose.
"""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Header, Request, Response
from pmo_common.i18n import negotiate_locale

from pmo_monitoring.config import MonitoringSettings
from pmo_monitoring.domain.phrases import Language
from pmo_monitoring.languages import message_language


def default_locale(request: Request) -> str:
    """PMO_DEFAULT_LOCALE of the running service."""
    settings = cast(MonitoringSettings, request.app.state.runtime.settings)
    return settings.default_locale


def requested_locale(request: Request) -> str:
    """The supported language the request prefers (Accept-Language), else the default."""
    return negotiate_locale(request.headers.get("accept-language"), default=default_locale(request))


def name_language(response: Response, code: str) -> None:
    """Say which language an answer is in, and that it depends on Accept-Language (caches)."""
    response.headers["Content-Language"] = code
    response.headers.append("Vary", "Accept-Language")


async def answer_language(
    request: Request,
    response: Response,
    accept_language: Annotated[
        str | None,
        Header(
            description="The language of reasons, notes, forecasts and the glossary (en, fr); "
            "without one it answers in PMO_DEFAULT_LOCALE. Named in Content-Language."
        ),
    ] = None,
) -> Language:
    """The language of this answer, named in its headers."""
    code = negotiate_locale(accept_language, default=default_locale(request))
    name_language(response, code)
    return message_language(code)


AnswerLanguage = Annotated[Language, Depends(answer_language)]
