"""The languages the product speaks, and the choice of one from an Accept-Language header."""

from __future__ import annotations

SUPPORTED_LOCALES: tuple[str, ...] = ("en", "fr")
DEFAULT_LOCALE = "en"
# A header longer than this is not worth parsing (and is not a browser's).
_MAX_HEADER = 500


def supported_locale(value: str) -> str:
    """`PMO_DEFAULT_LOCALE` as every service reads it: a supported language code, spaces and
    case aside; refuses any other by name."""
    locale = value.strip().lower()
    if locale not in SUPPORTED_LOCALES:
        raise ValueError(
            f"PMO_DEFAULT_LOCALE must be one of {', '.join(SUPPORTED_LOCALES)}, got {value!r}"
        )
    return locale


def negotiate_locale(accept_language: str | None, *, default: str = DEFAULT_LOCALE) -> str:
    """The supported language the client prefers most (RFC 9110 §12.5.4), else `default`.

    Only the primary subtag counts (`fr-CA` is French); `q=0` refuses a language; a malformed
    entry is skipped rather than refused, as a header cannot be answered with a 4xx here.
    """
    if not accept_language or len(accept_language) > _MAX_HEADER:
        return default
    ranked: list[tuple[float, int, str]] = []
    for position, entry in enumerate(accept_language.split(",")):
        tag, _, params = entry.strip().partition(";")
        language = tag.strip().split("-", 1)[0].lower()
        weight = _quality(params)
        if weight is None or weight <= 0:
            continue
        if language == "*":
            ranked.append((weight, position, default))
        elif language in SUPPORTED_LOCALES:
            ranked.append((weight, position, language))
    if not ranked:
        return default
    # Highest quality first; among equals, the order the client wrote them in.
    return min(ranked, key=lambda item: (-item[0], item[1]))[2]


def _quality(params: str) -> float | None:
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                weight = float(value)
            except ValueError:
                return None
            return weight if 0 <= weight <= 1 else None
    return 1.0
