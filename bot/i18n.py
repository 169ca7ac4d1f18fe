"""Languages: gettext catalogs under `locales/`, and Babel formatting in the reader's language.

The `.po` files are the only source: they are compiled in memory when the bot starts, so there is
no manual compile step and no build artefact to forget. Strings are translated at render time,
never at import time; data (question labels, option labels) is marked with `N_` for extraction.
"""

from __future__ import annotations

import gettext
import io
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

from bot import languages as known
from bot.config import PROJECT_DIR

LOCALES_DIR = PROJECT_DIR / "locales"
DOMAIN = "messages"


def N_(message: str) -> str:
    """Mark a string for extraction without translating it (it is translated when shown)."""
    return message


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a message with a count for extraction (shown later with `ngettext`)."""
    return singular, plural


class CatalogError(Exception):
    """A catalog is missing or cannot be read."""


def compile_catalog(po_path: Path) -> Translations:
    """Read one `.po` file and return it as loaded gettext translations."""
    try:
        with po_path.open("rb") as handle:
            catalog = read_po(handle)
    except FileNotFoundError:
        raise CatalogError(f"The catalog {po_path} is missing.") from None
    except Exception as exc:  # babel raises several kinds for a damaged file
        raise CatalogError(f"The catalog {po_path} cannot be read: {exc}") from None
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def pick_language(language_code: str | None, default: str) -> str:
    """Choose a supported language from a client's IETF tag such as "en-GB" or "id"."""
    if language_code:
        base = language_code.split("-")[0].split("_")[0].lower()
        if base in known.codes():
            return base
        return next((item.code for item in known.ALL if base in item.also_for), default)
    return default


@dataclass(frozen=True)
class Translator:
    """Translation and formatting for one language, in the configured time zone."""

    language: str
    translations: gettext.NullTranslations
    time_zone: ZoneInfo

    def gettext(self, message: str) -> str:
        """Translate one message."""
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Translate a message whose form depends on the count `n`."""
        return self.translations.ngettext(singular, plural, n)

    def number(self, value: float) -> str:
        """Format a number the way readers of this language write it ("1.234,5" in Indonesian)."""
        return _format_number(value, self.language)

    def local(self, moment: datetime) -> datetime:
        """Convert an aware datetime to the configured time zone."""
        return moment.astimezone(self.time_zone)

    def date(self, moment: datetime) -> str:
        """The day as words: "Rabu, 6 Oktober 2027"."""
        return format_date(self.local(moment), "EEEE, d MMMM y", locale=self.language)

    def short_date(self, moment: datetime) -> str:
        """The day in short, for a button: "Rab, 6 Okt 2027" (at most 16 characters)."""
        return format_date(self.local(moment), "EEE, d MMM y", locale=self.language)

    def time(self, moment: datetime) -> str:
        """The time of day: "09.00" in Indonesian, "9:00 AM" in English."""
        return format_time(self.local(moment), "short", locale=self.language)

    def datetime(self, moment: datetime) -> str:
        """Day and time with the zone: "Rabu, 6 Oktober 2027 pukul 09.00 WIB"."""
        return self.gettext("{date} at {time} {zone}").format(
            date=self.date(moment), time=self.time(moment), zone=self.zone_name(moment)
        )

    def zone_name(self, moment: datetime) -> str:
        """The short name people use for the zone (WIB for Asia/Jakarta)."""
        return self.local(moment).tzname() or ""


@lru_cache(maxsize=4096)
def _format_number(value: float, language: str) -> str:
    # Babel parses its locale data on every call; every question's progress line needs two.
    return format_decimal(value, locale=language)


class Catalogs:
    """Every language's translations, loaded once."""

    def __init__(self, time_zone: ZoneInfo, locales_dir: Path = LOCALES_DIR,
                 languages: tuple[str, ...] | None = None) -> None:
        self.time_zone = time_zone
        self.languages = languages or known.codes()
        compiled = {lang: compile_catalog(locales_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po")
                    for lang in self.languages}
        first = self.languages[0]
        for lang, translations in compiled.items():
            if lang not in (first, known.SOURCE):  # a new language, partly translated so far,
                translations.add_fallback(compiled[first])  # reads the rest in the first one
        self._translators = {lang: Translator(lang, translations, time_zone)
                             for lang, translations in compiled.items()}

    def get(self, language: str | None) -> Translator:
        """The translator for `language`, the first language's when it is unknown."""
        return self._translators.get(language or "", self._translators[self.languages[0]])
