"""The message catalogs: every message the code says is in the template and translated into
French, with the same `{fields}`, in French typography.

The messages are extracted from the code here, with Babel's own extractor (as `pybabel extract`
does), so a message added without its translation fails this test, not a reader's e-mail.
"""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import get_args

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from pmo_common.i18n import SUPPORTED_LOCALES, untranslated_messages
from pmo_notifications.api.schemas import Locale
from pmo_notifications.handlers.wordings import DOMAIN, LOCALE_FOLDER

PACKAGE = LOCALE_FOLDER.parent
TEMPLATE = LOCALE_FOLDER / f"{DOMAIN}.pot"
# A space that may break, then a mark French typography keeps on the same line as the word.
_LOOSE_MARK = re.compile(r" [:;?!»]|« ")


def extracted_ids() -> set[str]:
    """The id (the singular, for a plural) of every message the package marks for translation."""
    found = extract_from_dir(str(PACKAGE), method_map=[("**.py", "python")])
    return {message if isinstance(message, str) else message[0] for _, _, message, *_ in found}


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as source:
        return read_po(source, locale=locale, domain=DOMAIN)


def french() -> Catalog:
    return read_catalog(LOCALE_FOLDER / "fr" / "LC_MESSAGES" / f"{DOMAIN}.po", "fr")


def ids_of(catalog: Catalog) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


def strings_of(message: Message) -> tuple[str, ...]:
    """A translation's text, each plural form's for a plural."""
    string = message.string
    return (string,) if isinstance(string, str) else tuple(string or ())


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_the_code_says_nothing_the_french_catalog_does_not_translate() -> None:
    said = extracted_ids()
    assert len(said) > 150, "the extraction found the messages"
    missing = sorted(said - ids_of(french()))
    untranslated = untranslated_messages(LOCALE_FOLDER, DOMAIN, "fr")
    assert not missing, f"messages without a French entry (run pybabel, see ADR 0023): {missing}"
    assert not untranslated, f"French entries left empty or fuzzy: {untranslated}"


def test_the_template_is_the_code_s_messages_as_extracted_now() -> None:
    template = ids_of(read_catalog(TEMPLATE))
    said = extracted_ids()
    assert said == template, (
        f"messages.pot is stale: new {sorted(said - template)}, gone {sorted(template - said)}"
    )
    assert ids_of(french()) == template, "the French catalog keeps messages no longer said"


def test_each_translation_keeps_the_fields_of_its_message() -> None:
    for message in french():
        if not message.id:
            continue
        ids = (message.id,) if isinstance(message.id, str) else message.id
        strings = strings_of(message)
        expected = set().union(*(fields(text) for text in ids))
        for translated in strings:
            assert fields(translated) == expected, (message.id, translated)


def test_french_is_written_with_french_typography() -> None:
    for message in french():
        if not message.id:
            continue
        for translated in strings_of(message):
            # A no-break space before : ; ? ! and inside guillemets, the typographic apostrophe
            # and guillemets rather than straight quotes.
            assert not _LOOSE_MARK.search(translated), translated
            assert "'" not in translated and '"' not in translated, translated
            if ":" in translated.replace("://", ""):
                assert "\u00a0:" in translated, translated


def test_a_subscription_names_exactly_the_languages_the_catalogs_cover() -> None:
    assert get_args(Locale) == SUPPORTED_LOCALES
    for locale in SUPPORTED_LOCALES[1:]:
        assert (LOCALE_FOLDER / locale / "LC_MESSAGES" / f"{DOMAIN}.po").is_file()
