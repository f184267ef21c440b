"""The languages monitoring speaks: its gettext catalogs, read once, and figures per language.

The catalogs are `.po` files under `locale/` (`locale/fr/LC_MESSAGES/messages.po`), one for the
whole service: the reasons and notes of the domain, the glossary and the web view. They are
read and compiled in memory at start-up (`load_catalogs`, called by `create_app`); English is
the source language and needs none. `make i18n-extract` and `make i18n-update` keep
`messages.pot` and the translations in step with the code (docs/adr/0022-languages.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from pmo_common.i18n import (
    SUPPORTED_LOCALES,
    format_date,
    format_money,
    format_number,
    format_percent,
    load_translations,
)

from pmo_monitoring.domain.phrases import ENGLISH, Language, Phrase, worded

LOCALE_DIR = Path(__file__).parent / "locale"
CATALOG_DOMAIN = "messages"

Answer = TypeVar("Answer")


class LocalFigures:
    """Figures as readers of a language write them (Babel's CLDR data, pmo_common.i18n):
    `0,85`, `112 500,00 €`, `12,5 %`, `30 nov. 2026` in French."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        # The language's percent sign with its spacing ("%" or "\u202f%"), for figures with
        # decimals, which format_percent rounds away.
        self._percent_sign = format_percent(0, locale).removeprefix("0")

    def index(self, value: float) -> str:
        # An index reads with two decimals, trailing zeros kept (0.80, 1.00).
        return format_number(value, self.locale, digits=2, fixed=True)

    def number(self, value: float, decimals: int) -> str:
        return format_number(value, self.locale, digits=decimals)

    def money(self, amount: float, currency: str) -> str:
        return format_money(amount, currency, self.locale)

    def percent(self, ratio: float, decimals: int, signed: bool) -> str:
        if decimals == 0:
            text = format_percent(ratio, self.locale)
        else:
            text = format_number(ratio * 100, self.locale, digits=decimals) + self._percent_sign
        return "+" + text if signed and ratio > 0 else text

    def day(self, value: date) -> str:
        return format_date(value, self.locale)

    def count(self, value: int) -> str:
        return format_number(value, self.locale, digits=0)


@cache
def _message_languages() -> Mapping[str, Language]:
    translations = load_translations(LOCALE_DIR, CATALOG_DOMAIN)
    return {
        code: ENGLISH
        if code == ENGLISH.code
        else Language(code, translations[code], LocalFigures(code))
        for code in SUPPORTED_LOCALES
    }


def load_catalogs() -> None:
    """Read and compile the catalogs now (start-up), so a broken one stops the service there."""
    _message_languages()


def message_language(code: str) -> Language:
    """The language of messages (reasons, notes, the glossary) for a supported code.

    English keeps the figures `message` has always had; the others write them their way.
    """
    return _message_languages()[code]


def spoken_languages() -> tuple[Language, ...]:
    """Every language monitoring speaks, English first: a stored reason has its message in each."""
    return tuple(_message_languages().values())


def in_language(answer: Answer, language: Language) -> Answer:
    """`answer` (dicts, lists and values, as the handlers build them) with every phrase in
    it said in `language`: reasons, notes, forecasts. Other values are left as they are."""
    return _worded(answer, language)  # type: ignore[no-any-return]


def _worded(value: Any, language: Language) -> Any:
    if isinstance(value, Phrase):
        return worded(value, language)
    if isinstance(value, dict):
        return {key: _worded(item, language) for key, item in value.items()}
    if isinstance(value, list):
        return [_worded(item, language) for item in value]
    if isinstance(value, tuple):
        return tuple(_worded(item, language) for item in value)
    return value
