"""The languages of the bot, listed once. To add one, add a `Language` here and run `make catalog`.

The first is the fallback for anything unknown. Msgids are English (the source language), so the
English catalog's translations are the msgids themselves.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    """One language the bot speaks."""

    code: str  # a catalog folder under locales/, and what owners.language stores
    name: str  # in itself, for the language buttons
    plural_forms: str  # the catalog header (Babel's guess is wrong for Indonesian)
    commands: str  # whose command names its readers get: "id" (the first) or "en" (the last)
    also_for: tuple[str, ...] = ()  # messenger language codes of readers who prefer it


ALL = (
    Language("id", "Bahasa Indonesia", "nplurals=1; plural=0;", "id",
             also_for=("jv", "su", "ms")),  # Javanese, Sundanese and Malay readers
    Language("en", "English", "nplurals=2; plural=(n != 1);", "en"),
)
SOURCE = "en"  # the language of the msgids
LANGUAGES = tuple(language.code for language in ALL)  # as shipped


def codes() -> tuple[str, ...]:
    """The codes of every language, the fallback first."""
    return tuple(item.code for item in ALL)


def language(code: str) -> Language:
    """The language with this code (the first one when it is unknown)."""
    return next((item for item in ALL if item.code == code), ALL[0])


def name(code: str | None) -> str:
    """A language's name in itself ("Bahasa Indonesia"); the code when it is unknown."""
    return next((item.name for item in ALL if item.code == code), code or "")
