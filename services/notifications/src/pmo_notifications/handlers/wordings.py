"""Messages in the reader's language: the service's gettext catalogs, and which language a
reader gets (their subscription's `locale`, else PMO_DEFAULT_LOCALE).

The catalogs (`locale/<language>/LC_MESSAGES/messages.po`, extracted with pybabel) are read once
per process and compiled in memory (pmo_common.i18n). What the settings decide (the default
language, the glossary's address) is put in the service's sessions' info at start-up, so the
consumer's handlers and the jobs, which get a session and no settings, word their messages as
configured; a session made elsewhere (a test's own) words them in English, without a glossary
link.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path

from pmo_common.i18n import (
    DEFAULT_LOCALE,
    SUPPORTED_LOCALES,
    format_date,
    format_money,
    format_number,
    load_translations,
)
from pmo_common.web.runtime import ServiceRuntime
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_notifications.config import NotificationsSettings
from pmo_notifications.domain.wording import Wording

LOCALE_FOLDER = Path(__file__).resolve().parents[1] / "locale"
DOMAIN = "messages"
# Monitoring's page explaining every metric and reason (under PMO_NOTIFICATIONS_DASHBOARD_URL).
GLOSSARY_PATH = "/ui/glossary"
_SESSION_KEY = "pmo_message_languages"


@cache
def catalogs() -> Mapping[str, gettext.NullTranslations]:
    """Every supported language's translations, read once."""
    return load_translations(LOCALE_FOLDER, DOMAIN)


@dataclass(frozen=True, slots=True)
class CatalogWording:
    """One language's wording: its catalog and Babel's formats (CLDR) for figures and dates."""

    locale: str
    glossary_url: str | None
    translations: gettext.NullTranslations

    def _(self, message: str) -> str:
        """`message` in this language."""
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        """The form for `count` in this language."""
        return self.translations.ngettext(singular, plural, count)

    def number(self, value: float, *, digits: int = 2) -> str:
        """`value` as this language writes numbers."""
        return format_number(value, self.locale, digits=digits)

    def index(self, value: float) -> str:
        """A performance index with two decimals (`0.80`, `0,80`), as monitoring writes them."""
        return format_number(value, self.locale, digits=2, fixed=True)

    def money(self, amount: float, currency: str | None) -> str:
        """`amount` in `currency`; without one, a whole figure (the currency is unknown)."""
        if currency:
            return format_money(amount, currency, self.locale)
        return format_number(amount, self.locale, digits=0)

    def day(self, value: date) -> str:
        """A date in this language's medium form."""
        return format_date(value, self.locale)

    def moment(self, value: datetime) -> str:
        """A date and a 24-hour time (unambiguous in both languages)."""
        return self._("{day}, {time}").format(day=self.day(value.date()), time=f"{value:%H:%M}")


@dataclass(frozen=True, slots=True)
class MessageLanguages:
    """The languages as configured: the default one, and where the glossary is."""

    default_locale: str = DEFAULT_LOCALE
    glossary_url: str | None = None

    @classmethod
    def from_settings(cls, settings: NotificationsSettings) -> MessageLanguages:
        """PMO_DEFAULT_LOCALE and the glossary under PMO_NOTIFICATIONS_DASHBOARD_URL."""
        dashboard = settings.dashboard_url
        return cls(settings.default_locale, f"{dashboard}{GLOSSARY_PATH}" if dashboard else None)

    def chosen(self, locale: str | None) -> str:
        """`locale` when the messages are written in it, else the default language."""
        return locale if locale in SUPPORTED_LOCALES else self.default_locale

    def wording(self, locale: str | None = None) -> CatalogWording:
        """The wording of a reader of `locale` (None: the default language)."""
        chosen = self.chosen(locale)
        return CatalogWording(chosen, self.glossary_url, catalogs()[chosen])

    def in_every_language(self, say: Callable[[Wording], str]) -> dict[str, str]:
        """What `say` writes, in every language, by language code: a text notifications
        stores (a reason it words itself) is quoted later in each reader's language."""
        return {locale: say(self.wording(locale)) for locale in SUPPORTED_LOCALES}


async def install_message_languages(runtime: ServiceRuntime) -> None:
    """At start-up: the catalogs read, and the configured languages in the info of every
    session the service opens (the consumer's, the jobs', the API's), next to what the shared
    runtime keeps there."""
    settings = runtime.settings
    if not isinstance(settings, NotificationsSettings):
        raise TypeError("the message languages need NotificationsSettings")
    catalogs()  # read now: a broken catalog stops the service at start, not at a first message
    info = dict(runtime.sessions.kw.get("info") or {})
    info[_SESSION_KEY] = MessageLanguages.from_settings(settings)
    runtime.sessions.configure(info=info)


def message_languages(session: AsyncSession) -> MessageLanguages:
    """The languages the session's service was configured with (English, no glossary link, for
    a session opened outside the service's runtime)."""
    held = session.info.get(_SESSION_KEY)
    return held if isinstance(held, MessageLanguages) else MessageLanguages()
