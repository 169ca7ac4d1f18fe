"""Catalog upkeep: extract the messages from the code and merge them into the `.po` files.

`python -m bot.catalog update` (or `make catalog`) rewrites `locales/messages.pot` and updates
`id` and `en`; English is the source language, so its translations are the msgids themselves.
Translators then fill the Indonesian `msgstr`s; the tests fail while any is missing.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot import languages
from bot.config import PROJECT_DIR
from bot.i18n import DOMAIN, LOCALES_DIR

SOURCES = ("bot", "handlers")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "NP_": (1, 2)}
# Python modules, and the staff web page's Jinja2 templates (Jinja2's own Babel extractor).
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2.ext:babel_extract")]


def extract() -> Catalog:
    """Every translatable message in the code, as a template catalog."""
    template = Catalog(project="umkm-bot", domain=DOMAIN, charset="utf-8", fuzzy=False)
    for source in SOURCES:
        for filename, lineno, message, comments, context in extract_from_dir(
            PROJECT_DIR / source, method_map=METHODS, keywords=KEYWORDS,
            comment_tags=("Translators:",), strip_comment_tags=True,
        ):
            template.add(message, None, [(f"{source}/{filename}", lineno)],
                         auto_comments=comments, context=context)
    return template


def message_ids(catalog: Catalog) -> set[object]:
    """The msgids of a catalog (a tuple for plural messages)."""
    return {m.id for m in catalog if m.id}


def write(catalog: Catalog, path: Path) -> None:
    """Write a catalog as a .po/.pot file without line numbers (so diffs stay small)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, no_location=True,
                 sort_output=True)


def update() -> None:
    """Regenerate the template and merge it into every language's catalog."""
    template = extract()
    write(template, LOCALES_DIR / f"{DOMAIN}.pot")
    for language in languages.codes():
        path = LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        if path.exists():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=language)
        else:
            catalog = Catalog(locale=language, domain=DOMAIN, charset="utf-8")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        catalog.fuzzy = False
        catalog.project, catalog.version = "umkm-bot", "1"
        catalog._plural_expr = None  # babel's own guess is wrong for Indonesian
        header = catalog.mime_headers
        catalog.mime_headers = [(k, v) for k, v in header if k != "Plural-Forms"] + [
            ("Plural-Forms", languages.language(language).plural_forms)
        ]
        if language == languages.SOURCE:
            for message in catalog:
                if not message.id:
                    continue
                strings = message.string if isinstance(message.id, tuple) else (message.string,)
                if not all(strings):
                    message.string = message.id
                message.flags.discard("fuzzy")
        write(catalog, path)
    print(f"updated {LOCALES_DIR}")


if __name__ == "__main__":
    if sys.argv[1:] != ["update"]:
        sys.exit("usage: python -m bot.catalog update")
    update()
