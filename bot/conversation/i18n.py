"""Translations: gettext catalogs under locales/, read with Babel.

msgids are the French reference texts. Each ``locales/<lang>/LC_MESSAGES/messages.po`` is
compiled in memory when the bot starts, so a fresh checkout needs no build step and what runs
is always what the .po files say. Fuzzy entries (a French text changed since the translation)
are left out, so the person reads the current French rather than an outdated translation.

The catalogs are package data (the ``locales`` package), found with ``importlib.resources``
wherever the bot is installed. A missing or empty catalog for a language the bot offers stops
start-up (``CatalogError``): a Dutch speaker must never be answered in French without a word.
"""

from __future__ import annotations

import gettext
import io
import string
from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

from flows.engine import Msg
from flows.locales import LOCALES, REFERENCE

DOMAIN = "messages"
BRUSSELS = ZoneInfo("Europe/Brussels")


class _Keep(dict[str, str]):
    """Leaves an unknown {placeholder} as it is instead of raising."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


_formatter = string.Formatter()


@lru_cache(maxsize=4096)  # the catalogs' texts: a few hundred per language
def _has_fields(template: str) -> bool:
    """Whether a text has {placeholders} to fill (most have none): parsed once per text."""
    return any(field for _, field, _, _ in _formatter.parse(template))


class Translator:
    """Translates engine messages for one locale."""

    def __init__(self, locale: str, translations: gettext.NullTranslations) -> None:
        self.locale = locale
        self._t = translations

    def gettext(self, msgid: str) -> str:
        return self._t.gettext(msgid)

    def render(self, msg: Msg, context: Mapping[str, str] | None = None) -> str:
        template = self.gettext(msg.id)
        if not _has_fields(template):
            return template
        params = _Keep(context or {})
        for name, value in msg.params.items():
            if isinstance(value, Msg):
                params[name] = self.render(value, context)
            elif isinstance(value, int):
                params[name] = format_decimal(value, locale=self.locale)
            else:
                params[name] = value
        return template.format_map(params)

    def long_date(self, value: datetime) -> str:
        """A date as people of this locale write it (1er décembre 2026, 1 december 2026…)."""
        return long_date(value.astimezone(BRUSSELS).date(), self.locale)


def long_date(day: date, locale: str) -> str:
    """Babel's long date, with the French ordinal for the first of the month (« 1er »)."""
    # English as written in Belgium and Britain (1 December 2026), not the US order.
    text = str(format_date(day, format="long", locale="en_GB" if locale == "en" else locale))
    if locale == "fr" and day.day == 1:
        text = "1er" + text.removeprefix("1")
    return text


class CatalogError(Exception):
    """A language the bot offers has no usable catalog."""


def _load_po(po: Traversable) -> tuple[gettext.NullTranslations, int]:
    """The translations of one .po file, and how many messages it really translates."""
    catalog = read_po(io.BytesIO(po.read_bytes()), domain=DOMAIN)
    translated = sum(1 for m in catalog if m.id and m.string and not m.fuzzy)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN), translated


def packaged_catalogs() -> Traversable:
    """The catalogs installed with the bot (the ``locales`` package)."""
    return files("locales")


class Catalogs:
    """Every locale's translations, loaded once."""

    @staticmethod
    def reference() -> Translator:
        """The French reference texts alone (the msgids): no catalog to load."""
        return Translator(REFERENCE, gettext.NullTranslations())

    def __init__(self, locales_dir: Traversable | None = None, default: str = REFERENCE) -> None:
        folder = locales_dir if locales_dir is not None else packaged_catalogs()
        self.default = default
        self._translators: dict[str, Translator] = {}
        for locale in LOCALES:
            po = folder / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
            if locale == REFERENCE:  # the msgids are this language's texts
                self._translators[locale] = self.reference()
                continue
            if not po.is_file():
                raise CatalogError(f"the {locale} catalog is missing: {po}")
            translations, translated = _load_po(po)
            if not translated:
                raise CatalogError(f"the {locale} catalog translates nothing: {po}")
            self._translators[locale] = Translator(locale, translations)

    def get(self, locale: str | None) -> Translator:
        return self._translators.get(locale or self.default, self._translators[self.default])
