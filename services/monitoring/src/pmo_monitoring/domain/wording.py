"""Words several reasons share: a count of days, and a signal's colour."""

from __future__ import annotations

from pmo_monitoring.domain.model import SignalRag
from pmo_monitoring.domain.phrases import Phrase, phrase, plural_phrase


def days(count: int) -> Phrase:
    """'1 day' or 'N days'."""
    return plural_phrase("{count} day", "{count} days", count)


def colour(rag: SignalRag) -> Phrase:
    """A signal's colour as a word in a sentence ('red', 'amber')."""
    return phrase("red") if rag == "red" else phrase("amber")
