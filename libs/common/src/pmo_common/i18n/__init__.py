"""English and French: choosing the language, loading the gettext catalogs, formatting figures.

Each service keeps its catalogs as gettext `.po` files under its own `locale/` folder
(`locale/fr/LC_MESSAGES/<domain>.po`), extracted and updated with Babel's `pybabel`. They are
read once at start-up and compiled in memory, so no compiled `.mo` file is checked in or built
by a separate step. English is the source language: its text is the message id itself.
"""

from pmo_common.i18n.catalogs import load_translations, untranslated_messages
from pmo_common.i18n.formatting import format_date, format_money, format_number, format_percent
from pmo_common.i18n.locales import (
    DEFAULT_LOCALE,
    SUPPORTED_LOCALES,
    negotiate_locale,
    supported_locale,
)

__all__ = [
    "DEFAULT_LOCALE",
    "SUPPORTED_LOCALES",
    "format_date",
    "format_money",
    "format_number",
    "format_percent",
    "load_translations",
    "negotiate_locale",
    "supported_locale",
    "untranslated_messages",
]
