"""Dates as day numbers from one fixed start, so tests of date rules read in days, not dates."""

from __future__ import annotations

from datetime import date, timedelta

START = date(2024, 1, 1)


def on(day: int) -> date:
    """The date `day` days after START (before it when negative)."""
    return START + timedelta(days=day)
