"""Choosing the language, reading catalogs, formatting figures (pmo_common.i18n)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pmo_common.i18n import (
    format_date,
    format_money,
    format_number,
    load_translations,
    negotiate_locale,
    untranslated_messages,
)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fr-CA,fr;q=0.9,en;q=0.8", "fr"),
        ("de, en;q=0.5", "en"),
        ("en;q=0, fr;q=0.1", "fr"),
        ("en;q=0.5, fr;q=0.5", "en"),  # equal weights: the client's order
        ("fr;q=abc, en", "en"),  # a malformed weight drops its entry
        ("*", "en"),
        ("", "en"),
        (None, "en"),
        ("x" * 501, "en"),
    ],
)
def test_the_preferred_supported_language_wins(header: str | None, expected: str) -> None:
    assert negotiate_locale(header) == expected


def test_the_default_is_used_when_nothing_supported_is_asked_for() -> None:
    assert negotiate_locale("de-DE", default="fr") == "fr"


PO = """
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

msgid "Cost performance"
msgstr "Performance des coûts"

msgid "Schedule"
msgstr ""

#, fuzzy
msgid "Budget"
msgstr "Budget?"
"""


def _catalog(tmp_path: Path) -> Path:
    folder = tmp_path / "locale" / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text(PO, encoding="utf-8")
    return tmp_path / "locale"


def test_a_po_catalog_translates_and_fuzzy_or_empty_entries_fall_back(tmp_path: Path) -> None:
    translations = load_translations(_catalog(tmp_path), "messages")
    french = translations["fr"]
    assert french.gettext("Cost performance") == "Performance des coûts"
    assert french.gettext("Schedule") == "Schedule"
    assert french.gettext("Budget") == "Budget"
    assert translations["en"].gettext("Cost performance") == "Cost performance"


def test_untranslated_messages_names_the_empty_and_fuzzy_ones(tmp_path: Path) -> None:
    assert untranslated_messages(_catalog(tmp_path), "messages", "fr") == ["Schedule", "Budget"]


def test_a_missing_catalog_is_an_error_for_the_completeness_check(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        untranslated_messages(tmp_path, "messages", "fr")


def test_figures_are_written_as_each_language_writes_them() -> None:
    assert format_number(1234.5, "en") == "1,234.5"
    assert format_number(1234.5, "fr") == "1\u202f234,5"
    assert format_money(1234, "EUR", "en") == "€1,234.00"
    assert format_money(1234, "EUR", "fr") == "1\u202f234,00\xa0€"
    assert format_date(date(2026, 11, 30), "fr") == "30 nov. 2026"


def test_a_fixed_number_keeps_its_trailing_zeros_in_each_language() -> None:
    assert format_number(0.8, "en", digits=2, fixed=True) == "0.80"
    assert format_number(1, "fr", digits=2, fixed=True) == "1,00"
    assert format_number(1234.567, "fr", digits=2, fixed=True) == "1\u202f234,57"
    assert format_number(0.8, "en", digits=2) == "0.8"  # without it, at most `digits`
