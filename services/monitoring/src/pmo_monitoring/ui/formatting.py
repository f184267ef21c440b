"""How figures read on the pages: money, indices, percentages and dates (Jinja2 filters).

One place, so that locale-aware formats (Babel) can replace these without touching a template.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pmo_monitoring.ui.translation import _

NOT_AVAILABLE = "—"


def money(amount: float | None, currency: str | None = None) -> str:
    """An amount without cents, with thousands separators and the currency code after it."""
    if amount is None:
        return NOT_AVAILABLE
    figure = f"{amount:,.0f}"
    return f"{figure} {currency}" if currency else figure


def index(value: float | None) -> str:
    """A performance index (CPI, SPI) with two decimals."""
    return NOT_AVAILABLE if value is None else f"{value:.2f}"


def percent(value: float | None) -> str:
    """A percentage as reported (0-100), without decimals unless it has some."""
    if value is None:
        return NOT_AVAILABLE
    return f"{value:.0f} %" if float(value).is_integer() else f"{value:.1f} %"


def day(value: date | str | None) -> str:
    """A date as ISO 8601 (unambiguous in every language)."""
    if value is None:
        return NOT_AVAILABLE
    return value.isoformat() if isinstance(value, date) else str(value)


def rag_label(rag: str) -> str:
    """The colour of a RAG in words, so that colour is never its only carrier."""
    labels = {
        "red": _("Red"),
        "amber": _("Amber"),
        "green": _("Green"),
        "unknown": _("Unknown"),
    }
    return labels.get(rag, rag)


FILTERS: dict[str, Any] = {
    "money": money,
    "index": index,
    "percent": percent,
    "day": day,
    "rag_label": rag_label,
}
"""The filters every template can use."""
