"""How figures read in reasons: money without cents above 1,000, day counts in words."""

from __future__ import annotations


def money(amount: float) -> str:
    """An amount with thousands separators, cents only below 1,000."""
    return f"{amount:,.0f}" if abs(amount) >= 1000 else f"{amount:,.2f}"


def days(count: int) -> str:
    """'1 day' or 'N days'."""
    return "1 day" if count == 1 else f"{count} days"
