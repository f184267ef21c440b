"""Numbers, money, percentages and dates as a reader of the language writes them (Babel/CLDR):
`1,234.5` and `1 234,5`, `€1,234.00` and `1 234,00 €`, `30 Nov 2026` and `30 nov. 2026`."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date as _babel_date
from babel.numbers import format_currency, format_decimal
from babel.numbers import format_percent as _babel_percent


def format_number(value: float, locale: str, *, digits: int = 2, fixed: bool = False) -> str:
    """`value` with at most `digits` decimals (exactly `digits` when `fixed`: an index reads
    `0.80`, not `0.8`), grouped as the language groups thousands."""
    decimal = "0" if fixed else "#"
    pattern = "#,##0" + ("." + decimal * digits if digits > 0 else "")
    return format_decimal(value, format=pattern, locale=locale)


def format_money(amount: float, currency: str, locale: str) -> str:
    """`amount` in `currency` (ISO 4217), symbol and separators as the language writes them."""
    return format_currency(amount, currency, locale=locale)


def format_percent(ratio: float, locale: str) -> str:
    """`ratio` (0.42) as a percentage (42 % in French, 42% in English)."""
    return _babel_percent(ratio, locale=locale)


def format_date(day: date, locale: str) -> str:
    """`day` in the language's medium form."""
    return _babel_date(day, format="medium", locale=locale)
