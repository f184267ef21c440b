"""The French catalog translates every message the code and templates use, keeps their fields,
and writes French typography.

The messages are extracted here, from the sources as they are now, with babel.cfg (the same
configuration `make i18n-extract` uses): a new `_()` or `phrase()` without its French entry
fails this test, whether or not anyone ran `make i18n-update`.
"""

from __future__ import annotations

import re
import string

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from pmo_common.i18n import SUPPORTED_LOCALES, load_translations, untranslated_messages
from pmo_monitoring.languages import CATALOG_DOMAIN, LOCALE_DIR

PACKAGE = LOCALE_DIR.parent
TRANSLATED = [locale for locale in SUPPORTED_LOCALES if locale != "en"]
PERCENT_FIELD = re.compile(r"%\((\w+)\)[sd]")
NO_BREAK = "\u00a0\u202f"


def _extracted_ids() -> set[str]:
    """Every message id in the package now (a plural's singular stands for it)."""
    with (PACKAGE / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)  # type: ignore[no-untyped-call]
    ids: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(PACKAGE), method_map, options_map
    ):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


def _catalog(locale: str) -> Catalog:
    path = LOCALE_DIR / locale / "LC_MESSAGES" / f"{CATALOG_DOMAIN}.po"
    with path.open("rb") as source:
        return read_po(source, locale=locale, domain=CATALOG_DOMAIN)


def _strings(message: Message) -> tuple[str, ...]:
    """A message's translation, or each of its plural forms."""
    if isinstance(message.string, str):
        return (message.string,)
    return tuple(message.string or ())


def _fields(text: str) -> set[str]:
    braces = {name for _, name, _, _ in string.Formatter().parse(text) if name}
    return braces | set(PERCENT_FIELD.findall(text))


def test_the_extraction_finds_the_domain_the_api_and_the_pages() -> None:
    ids = _extracted_ids()
    assert "{finding}; {rule}." in ids  # domain: a reason
    assert "Cost performance index (CPI)" in ids  # domain: the glossary
    assert "Portfolio health" in ids  # a template
    assert "You cannot open this page" in ids  # a page's Python


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_message_of_the_code_has_its_translation(locale: str) -> None:
    catalog = _catalog(locale)
    in_catalog = {
        message.id if isinstance(message.id, str) else message.id[0]
        for message in catalog
        if message.id
    }

    missing = sorted(_extracted_ids() - in_catalog)
    untranslated = untranslated_messages(LOCALE_DIR, CATALOG_DOMAIN, locale)

    assert missing == [], f"not in {locale}'s catalog (make i18n-update, then translate)"
    assert untranslated == [], f"untranslated or fuzzy in {locale}'s catalog"


@pytest.mark.parametrize("locale", TRANSLATED)
def test_translations_keep_every_field_of_their_message(locale: str) -> None:
    for message in _catalog(locale):
        if not message.id:
            continue
        ids = (message.id,) if isinstance(message.id, str) else message.id
        strings = _strings(message)
        expected = set().union(*(_fields(text) for text in ids))
        for text in strings:
            # A plural form may leave out the count it is chosen by (one/un), nothing else.
            assert _fields(text) <= expected, (message.id, text)
            assert expected - _fields(text) <= {"count", "num"}, (message.id, text)


def test_french_puts_a_non_breaking_space_before_double_punctuation() -> None:
    for message in _catalog("fr"):
        for text in _strings(message):
            if not message.id:
                continue
            for found in re.finditer(r"[:;!?»]", text):
                before = text[found.start() - 1] if found.start() else ""
                assert before in NO_BREAK, (message.id, text)
            for found in re.finditer(r"«", text):
                assert text[found.end() : found.end() + 1] in NO_BREAK, (message.id, text)


def test_the_catalogs_load_and_translate() -> None:
    translations = load_translations(LOCALE_DIR, CATALOG_DOMAIN)
    assert translations["fr"].gettext("Portfolio health") == "Santé du portefeuille"
    assert translations["fr"].ngettext("{count} day", "{count} days", 2) == "{count} jours"
    assert translations["en"].gettext("Portfolio health") == "Portfolio health"
