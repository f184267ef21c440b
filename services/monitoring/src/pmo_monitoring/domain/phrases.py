"""Phrases: what monitoring tells people, written once in English and worded in any language.

A phrase is an English sentence with named fields (`{cpi}`), the message id of the gettext
catalogs, and the facts that fill them: an index, an amount of money, a percentage, a date, a
count, another phrase, or text quoted as it is (a milestone's name). A language words it from
the same facts: its translation of the sentence and its own forms of the figures. So a reason
is computed once and said in English and French alike.

A `Phrase` *is* its English text (a `str`), so everything that reads a message as text (the
`message` of the API and the events, a log line) keeps reading English; whatever answers in
another language finds the phrase and words it again (`worded`). English is the source
language: it translates nothing, and its figures keep the forms `message` has always had
(`0.85`, `112,500 EUR`, `12.5%`, ISO dates), which consumers read.

`pybabel extract` finds the sentences through the calls `phrase(...)` and `plural_phrase(...)`
(keywords in babel.cfg).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from pmo_monitoring.domain.value_records import value_record


@value_record
class Index:
    """A performance index (CPI, SPI, TCPI...), said with two decimals."""

    value: float


@value_record
class Number:
    """A quantity (days, say) with `decimals` decimals at most."""

    value: float
    decimals: int = 1


@value_record
class Money:
    """An amount in a currency (ISO 4217 code)."""

    amount: float
    currency: str


@value_record
class Percent:
    """A ratio (0.125) said as a percentage with `decimals` decimals; `signed` adds a + sign."""

    ratio: float
    decimals: int = 0
    signed: bool = False


@value_record
class Day:
    """A calendar date."""

    value: date


Fact = Index | Number | Money | Percent | Day | int | str
"""What fills a field: a `Phrase` is worded too; other text is quoted as it is (a name, a
code); an int is a count."""


class Figures(Protocol):
    """How one language writes figures."""

    def index(self, value: float) -> str:
        """An index with two decimals."""
        ...

    def number(self, value: float, decimals: int) -> str:
        """A quantity with `decimals` decimals at most."""
        ...

    def money(self, amount: float, currency: str) -> str:
        """An amount with its currency."""
        ...

    def percent(self, ratio: float, decimals: int, signed: bool) -> str:
        """A ratio as a percentage."""
        ...

    def day(self, value: date) -> str:
        """A date."""
        ...

    def count(self, value: int) -> str:
        """A whole number."""
        ...


class Translations(Protocol):
    """gettext's two calls (`gettext.NullTranslations` has them)."""

    def gettext(self, message: str, /) -> str: ...

    def ngettext(self, singular: str, plural: str, count: int, /) -> str: ...


@dataclass(frozen=True, slots=True)
class Language:
    """A language monitoring speaks: its code, its translations and its figures."""

    code: str
    translations: Translations
    figures: Figures


def _money(amount: float) -> str:
    # Cents only below 1,000: a forecast of millions does not need them.
    return f"{amount:,.0f}" if abs(amount) >= 1000 else f"{amount:,.2f}"


class SourceFigures:
    """English figures as `message` has always written them (part of the API and events)."""

    def index(self, value: float) -> str:
        return f"{value:.2f}"

    def number(self, value: float, decimals: int) -> str:
        return f"{value:,.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{value:,.0f}"

    def money(self, amount: float, currency: str) -> str:
        return f"{_money(amount)} {currency}"

    def percent(self, ratio: float, decimals: int, signed: bool) -> str:
        return f"{ratio:+.{decimals}%}" if signed else f"{ratio:.{decimals}%}"

    def day(self, value: date) -> str:
        return value.isoformat()

    def count(self, value: int) -> str:
        return str(value)


class _SourceTranslations:
    """The source language translates nothing: the message id is the English text."""

    def gettext(self, message: str, /) -> str:
        return message

    def ngettext(self, singular: str, plural: str, count: int, /) -> str:
        return singular if count == 1 else plural


ENGLISH = Language("en", _SourceTranslations(), SourceFigures())
"""The source language, in which every `Phrase` is already written."""


class Phrase(str):
    """A sentence to say, and the facts it is said with; its `str` value is the English.

    `plural` and `number` are set for a sentence whose form follows a number (1 day, 2 days);
    `number` then fills the `{count}` field.
    """

    text: str
    plural: str | None
    number: int | None
    facts: Mapping[str, Fact]

    def __new__(
        cls,
        text: str,
        facts: Mapping[str, Fact],
        *,
        plural: str | None = None,
        count: int | None = None,
    ) -> Phrase:
        english = _fill(text, plural, count, facts, ENGLISH)
        made = super().__new__(cls, english)
        made.text = text
        made.plural = plural
        made.number = count
        made.facts = facts
        return made

    def __getnewargs_ex__(self) -> tuple[tuple[str, Mapping[str, Fact]], dict[str, object]]:
        # Copies and pickles are built again from the sentence and its facts.
        return (self.text, self.facts), {"plural": self.plural, "count": self.number}

    def __deepcopy__(self, memo: dict[int, object]) -> Phrase:
        return self  # immutable, like the str it is

    def in_language(self, language: Language) -> str:
        """This phrase as `language` says it."""
        if language is ENGLISH:
            return str(self)
        return _fill(self.text, self.plural, self.number, self.facts, language)


def phrase(text: str, **facts: Fact) -> Phrase:
    """A sentence (English, with `{field}`s) and the facts that fill it."""
    return Phrase(text, facts)


def plural_phrase(singular: str, plural: str, count: int, **facts: Fact) -> Phrase:
    """A sentence whose form follows `count` (it fills `{count}`), and its other facts."""
    return Phrase(singular, facts, plural=plural, count=count)


def worded(text: str, language: Language) -> str:
    """`text` in `language` when it is a phrase; other text (a summary, a name) as it is."""
    return text.in_language(language) if isinstance(text, Phrase) else text


def _fill(
    text: str,
    plural: str | None,
    count: int | None,
    facts: Mapping[str, Fact],
    language: Language,
) -> str:
    translations, figures = language.translations, language.figures
    if plural is not None and count is not None:
        sentence = translations.ngettext(text, plural, count)
        fields = {"count": figures.count(count)}
    else:
        sentence = translations.gettext(text)
        fields = {}
    for name, fact in facts.items():
        fields[name] = _said(fact, language)
    return sentence.format(**fields)


def _said(fact: Fact, language: Language) -> str:
    figures = language.figures
    if isinstance(fact, Phrase):  # before str: a phrase is a str too
        return fact.in_language(language)
    if isinstance(fact, str):
        return fact
    if isinstance(fact, Index):
        return figures.index(fact.value)
    if isinstance(fact, Number):
        return figures.number(fact.value, fact.decimals)
    if isinstance(fact, Money):
        return figures.money(fact.amount, fact.currency)
    if isinstance(fact, Percent):
        return figures.percent(fact.ratio, fact.decimals, fact.signed)
    if isinstance(fact, Day):
        return figures.day(fact.value)
    return figures.count(fact)
