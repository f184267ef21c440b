"""The reader's language, as every message is worded in it: gettext for the sentences, the
language's own way of writing figures, and the reasons in the language monitoring wrote them in.

A message is composed for one reader, so the composers take a `Wording` rather than reading a
global language: one delivery run writes for readers of several languages. The implementation
(catalogs, Babel's formats) is handlers/wordings.py; the domain only needs what it says.
English is the source language: a message id is its English text, with `{named}` fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Protocol

from pmo_notifications.domain.reason_line import ReasonLine

# The language the messages are written in first: a message id is its text in it, and a reason's
# `message` is in it.
SOURCE_LOCALE = "en"


class Wording(Protocol):
    """How one reader's messages are written."""

    @property
    def locale(self) -> str:
        """The language code (`en`, `fr`)."""
        ...

    @property
    def glossary_url(self) -> str | None:
        """Where the terms (CPI, SPI, EAC, the reason codes...) are explained; None: nowhere
        to link to, and the messages say nothing of it."""
        ...

    def _(self, message: str) -> str:
        """`message` (its English text) in the reader's language."""
        ...

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        """The singular or plural form for `count`, in the reader's language."""
        ...

    def number(self, value: float, *, digits: int = 2) -> str:
        """`value` with at most `digits` decimals, grouped as the language writes thousands."""
        ...

    def index(self, value: float) -> str:
        """A performance index (CPI, SPI) with two decimals, as the language writes them."""
        ...

    def money(self, amount: float, currency: str | None) -> str:
        """`amount` in `currency` as the language writes it; a plain figure without decimals
        when the currency is unknown."""
        ...

    def day(self, value: date) -> str:
        """A date as the language writes it (`Mar 2, 2026`, `2 mars 2026`)."""
        ...

    def moment(self, value: datetime) -> str:
        """A date and a time of day (the time already in the reader's zone)."""
        ...


def N_(message: str) -> str:  # noqa: N802 - the name gettext tools look for
    """Marks a constant for extraction; it is translated where it is shown, with `_()`."""
    return message


def quoted(wording: Wording, message: str, messages: Mapping[str, object] | None) -> str:
    """A text someone else wrote (a reason monitoring worded), in the reader's language when
    the author gave it in that language, else as written (`message`, English)."""
    translated = (messages or {}).get(wording.locale)
    return translated if isinstance(translated, str) and translated.strip() else message


def reason_text(wording: Wording, reason: ReasonLine) -> str:
    """A reason's message in the reader's language, as monitoring wrote it."""
    return quoted(wording, reason.message, reason.messages)


# A project's colour and an alert's severity as words (written in capitals where they stand for
# the colour, so that colour is never the only carrier of the meaning).
_COLOURS = {
    "red": N_("red"),
    "amber": N_("amber"),
    "green": N_("green"),
    "unknown": N_("unknown"),
}
_SEVERITIES = {"critical": N_("critical"), "warning": N_("warning"), "info": N_("info")}
_STATUSES = {
    "open": N_("open"),
    "acknowledged": N_("acknowledged"),
    "resolved": N_("resolved"),
}


def colour_word(wording: Wording, rag: str | None) -> str:
    """A colour in words (`red`, `rouge`); one the product does not know, as told."""
    return _translated(wording, _COLOURS, rag or "unknown")


def colour_label(wording: Wording, rag: str | None) -> str:
    """A colour as its label (`RED`, `ROUGE`), `UNKNOWN` when there is none."""
    return colour_word(wording, rag).upper()


def severity_word(wording: Wording, severity: str) -> str:
    """An alert's severity in words (`critical`, `critique`)."""
    return _translated(wording, _SEVERITIES, severity)


def status_word(wording: Wording, status: str) -> str:
    """An alert's status in words (`acknowledged`, `prise en compte`)."""
    return _translated(wording, _STATUSES, status)


def _translated(wording: Wording, words: Mapping[str, str], key: str) -> str:
    return wording._(words[key]) if key in words else key


def glossary_line(wording: Wording) -> list[str]:
    """The sentence telling where the terms are explained, when there is such a place."""
    if not wording.glossary_url:
        return []
    return [
        wording._("What CPI, SPI, EAC and the other terms mean: {url}").format(
            url=wording.glossary_url
        )
    ]


def day_count(wording: Wording, count: int) -> str:
    """`1 day`, `3 days` in the reader's language."""
    return wording.ngettext("{count} day", "{count} days", count).format(count=count)


def labelled(wording: Wording, label: str, value: str) -> str:
    """`label: value`, with the space the language puts before a colon."""
    return wording._("{label}: {value}").format(label=label, value=value)


def listed(wording: Wording, items: Iterable[str]) -> str:
    """Items joined by semicolons, spaced as the language spaces them."""
    return wording._("; ").join(items)
