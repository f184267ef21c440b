"""The language of a page: `_()` and `ngettext()` in Python and templates, its figures, its phrases.

Every string a page shows goes through `_()` / `ngettext()`, and `pybabel extract` (babel.cfg)
finds them in the Python files and the templates. `PageRoute` chooses the language of each
request (Accept-Language, else PMO_DEFAULT_LOCALE) and sets it with `use_page_language` around
the whole request, so the content built in Python, the template and the error pages all
follow it. Outside a request (a unit test) pages speak English.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from typing import TypeVar

from pmo_monitoring.domain.phrases import ENGLISH, Language
from pmo_monitoring.languages import LocalFigures, in_language, message_language

Content = TypeVar("Content")


@dataclass(frozen=True, slots=True)
class PageLanguage:
    """A page's language: its words (the message language) and the figures of its tables.

    Pages write figures as the reader's language does in both languages (`Jan 31, 2026`,
    `€1,250.00`); the reasons quoted on them are the API's messages, worded the API's way.
    """

    words: Language
    figures: LocalFigures

    @property
    def code(self) -> str:
        """The language code (`lang` of the page, `Content-Language` of the answer)."""
        return self.words.code


@cache
def page_language(code: str) -> PageLanguage:
    """The page language of a supported code."""
    return PageLanguage(message_language(code), LocalFigures(code))


_ENGLISH_PAGES = PageLanguage(ENGLISH, LocalFigures(ENGLISH.code))
_active: ContextVar[PageLanguage | None] = ContextVar("pmo_ui_language", default=None)


def current_language() -> PageLanguage:
    """The language of the page being built."""
    return _active.get() or _ENGLISH_PAGES


def _(message: str) -> str:
    """`message` in the language of the current page."""
    return current_language().words.translations.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form for `count`, in the language of the current page."""
    return current_language().words.translations.ngettext(singular, plural, count)


def gettext_noop(message: str) -> str:
    """Marks a constant for extraction; it is translated where it is shown, with `_()`."""
    return message


def said(content: Content) -> Content:
    """`content` (as the handlers build it) with its phrases in the page's language."""
    return in_language(content, current_language().words)


@contextmanager
def use_page_language(language: PageLanguage) -> Iterator[None]:
    """Build and render pages in `language` inside the block (one request)."""
    token = _active.set(language)
    try:
        yield
    finally:
        _active.reset(token)
