"""gettext catalogs read from `.po` files and compiled in memory."""

from __future__ import annotations

import gettext
import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from pmo_common.i18n.locales import DEFAULT_LOCALE, SUPPORTED_LOCALES


def _catalog_path(folder: Path, locale: str, domain: str) -> Path:
    return folder / locale / "LC_MESSAGES" / f"{domain}.po"


def _read(folder: Path, locale: str, domain: str) -> Catalog | None:
    path = _catalog_path(folder, locale, domain)
    if not path.exists():
        return None
    with path.open("rb") as source:
        return read_po(source, locale=locale, domain=domain)


def load_translations(folder: Path, domain: str) -> dict[str, gettext.NullTranslations]:
    """The translations of every supported language, by language code.

    English, the source language, translates nothing (the message id is the English text). A
    language without a catalog falls back to English; fuzzy entries are left out, as gettext
    does, so a guess never reaches a reader.
    """
    translations: dict[str, gettext.NullTranslations] = {}
    for locale in SUPPORTED_LOCALES:
        catalog = None if locale == DEFAULT_LOCALE else _read(folder, locale, domain)
        if catalog is None:
            translations[locale] = gettext.NullTranslations()
            continue
        compiled = io.BytesIO()
        write_mo(compiled, catalog, use_fuzzy=False)
        compiled.seek(0)
        translations[locale] = gettext.GNUTranslations(compiled)
    return translations


def untranslated_messages(folder: Path, domain: str, locale: str) -> list[str]:
    """The message ids of `domain` that `locale` does not translate (empty or fuzzy), for the
    test that fails when a message lacks its translation. A missing catalog lacks all of them,
    which the caller learns by comparing with the extracted template."""
    catalog = _read(folder, locale, domain)
    if catalog is None:
        raise FileNotFoundError(_catalog_path(folder, locale, domain))
    missing: list[str] = []
    for message in catalog:
        if not message.id:
            continue  # the header
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing
