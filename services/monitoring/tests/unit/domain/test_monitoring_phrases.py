"""Phrases: written once in English, said in another language from the same facts."""

from __future__ import annotations

import copy
from datetime import date

from pmo_monitoring.domain.phrases import (
    ENGLISH,
    Day,
    Index,
    Language,
    Money,
    Number,
    Percent,
    phrase,
    plural_phrase,
    worded,
)


class _BracketFigures:
    def index(self, value: float) -> str:
        return f"[i{value}]"

    def number(self, value: float, decimals: int) -> str:
        return f"[n{value}]"

    def money(self, amount: float, currency: str) -> str:
        return f"[m{amount}{currency}]"

    def percent(self, ratio: float, decimals: int, signed: bool) -> str:
        return f"[p{ratio}]"

    def day(self, value: date) -> str:
        return f"[d{value.day}]"

    def count(self, value: int) -> str:
        return f"[c{value}]"


class _Upper:
    def gettext(self, message: str, /) -> str:
        # Upper-case the words but not the fields they name.
        return "".join(
            part if part.startswith("{") else part.upper()
            for part in message.replace("}", "}\0").replace("{", "\0{").split("\0")
        )

    def ngettext(self, singular: str, plural: str, count: int, /) -> str:
        return self.gettext(singular if count == 1 else plural)


TEST_LANGUAGE = Language("xx", _Upper(), _BracketFigures())


def test_a_phrase_is_its_english_text() -> None:
    said = phrase(
        "CPI {cpi} on {day}: {spent} spent, {share} done, {left} left",
        cpi=Index(0.8),
        day=Day(date(2026, 1, 31)),
        spent=Money(112500, "EUR"),
        share=Percent(0.125, 1),
        left=Number(84.6),
    )
    assert said == "CPI 0.80 on 2026-01-31: 112,500 EUR spent, 12.5% done, 84.6 left"
    assert isinstance(said, str)
    assert worded(said, ENGLISH) == said


def test_another_language_words_the_same_facts_its_own_way() -> None:
    late = plural_phrase("{count} day", "{count} days", 3)
    said = phrase(
        "milestone {name} is {late} late; {rule}.",
        name="Go-live",
        late=late,
        rule=phrase("red below {limit}", limit=Index(0.9)),
    )

    assert said == "milestone Go-live is 3 days late; red below 0.90."
    # Nested phrases are said in the language too; quoted text stays as it is.
    assert worded(said, TEST_LANGUAGE) == "MILESTONE Go-live IS [c3] DAYS LATE; RED BELOW [i0.9]."


def test_plain_text_is_said_as_it_is() -> None:
    assert worded("a summary the manager wrote", TEST_LANGUAGE) == "a summary the manager wrote"


def test_a_phrase_survives_copies_with_its_facts() -> None:
    said = phrase("{n} over", n=Percent(0.1, 0, signed=True))
    for copied in (copy.copy(said), copy.deepcopy(said)):
        assert copied == "+10% over"
        assert worded(copied, TEST_LANGUAGE) == "[p0.1] OVER"
