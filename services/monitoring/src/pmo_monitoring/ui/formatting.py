"""How figures read on the pages: money, indices, percentages and dates (Jinja2 filters).

In the page's language (translation.py), with Babel's CLDR data through pmo_common.i18n:
`€112,500.00` and `112 500,00 €`, `0.85` and `0,85`, `Jan 31, 2026` and `31 janv. 2026`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pmo_common.i18n import format_number

from pmo_monitoring.ui.translation import _, current_language

NOT_AVAILABLE = "—"


def money(amount: float | None, currency: str | None = None) -> str:
    """An amount in `currency` as the reader's language writes it; without a currency (a
    table whose caption names it), the figure alone without cents."""
    if amount is None:
        return NOT_AVAILABLE
    figures = current_language().figures
    if currency:
        return figures.money(amount, currency)
    return format_number(amount, figures.locale, digits=0)


def index(value: float | None) -> str:
    """A performance index (CPI, SPI) with two decimals at most."""
    return NOT_AVAILABLE if value is None else current_language().figures.index(value)


def percent(value: float | None) -> str:
    """A percentage as reported (0-100), with one decimal at most."""
    if value is None:
        return NOT_AVAILABLE
    return current_language().figures.percent(value / 100, 1, False)


def day(value: date | str | None) -> str:
    """A date in the reader's language (its medium form)."""
    if value is None:
        return NOT_AVAILABLE
    when = value if isinstance(value, date) else date.fromisoformat(value)
    return current_language().figures.day(when)


def rag_label(rag: str) -> str:
    """The colour of a RAG in words, so that colour is never its only carrier."""
    labels = {
        "red": _("Red"),
        "amber": _("Amber"),
        "green": _("Green"),
        "unknown": _("Unknown"),
    }
    return labels.get(rag, rag)


def rag_in_sentence(rag: str) -> str:
    """The colour of a RAG as a word inside a sentence ("Why it is red", "était orange"): the
    badge's label is capitalised, which reads as a name mid-sentence, wrongly in French."""
    words = {
        "red": _("red"),
        "amber": _("amber"),
        "green": _("green"),
        "unknown": _("unknown"),
    }
    return words.get(rag, rag)


def state_label(state: str) -> str:
    """A project's or milestone's status in words (the code itself when it is not known)."""
    labels = {
        "active": _("Active"),
        "closed": _("Closed"),
        "planned": _("Planned"),
        "in_progress": _("In progress"),
        "done": _("Done"),
        "late": _("Late"),
    }
    return labels.get(state, state)


FILTERS: dict[str, Any] = {
    "money": money,
    "index": index,
    "percent": percent,
    "day": day,
    "rag_label": rag_label,
    "rag_in_sentence": rag_in_sentence,
    "state_label": state_label,
}
"""The filters every template can use."""
