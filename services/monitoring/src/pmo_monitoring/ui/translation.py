"""Marking user-visible text for translation: `_()` and `ngettext()` in Python and templates.

Every string a page shows goes through these, so that gettext catalogs (Babel) can translate
it later: `pybabel extract -F src/pmo_monitoring/ui/babel.cfg` finds them in the Python files
and the templates. Until catalogs exist the active translations are the identity; whatever
picks a locale per request (Accept-Language) sets them with `use_translations` around the
rendering, and both the Python calls and the templates follow.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_IDENTITY = gettext.NullTranslations()
_active: ContextVar[gettext.NullTranslations | None] = ContextVar(
    "pmo_ui_translations", default=None
)


def _current() -> gettext.NullTranslations:
    return _active.get() or _IDENTITY


def _(message: str) -> str:
    """`message` in the language of the current request (English until catalogs exist)."""
    return _current().gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form for `count`, in the language of the current request."""
    return _current().ngettext(singular, plural, count)


def gettext_noop(message: str) -> str:
    """Marks a constant for extraction; it is translated where it is shown, with `_()`."""
    return message


@contextmanager
def use_translations(translations: gettext.NullTranslations) -> Iterator[None]:
    """Translate with `translations` inside the block (one request's rendering)."""
    token = _active.set(translations)
    try:
        yield
    finally:
        _active.reset(token)
