"""Catalogs: the template matches the code, both languages are complete, formats are right."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po

from bot.catalog import extract, message_ids
from bot.i18n import DOMAIN, LOCALES_DIR, Catalogs, pick_language
from bot.languages import LANGUAGES


def catalog(language: str | None):
    path = (LOCALES_DIR / f"{DOMAIN}.pot" if language is None
            else LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po")
    with path.open("rb") as handle:
        return read_po(handle)


def test_the_template_is_up_to_date_with_the_code():
    in_code, in_template = message_ids(extract()), message_ids(catalog(None))
    assert in_code - in_template == set(), "run `make catalog`: messages missing from the .pot"
    assert in_template - in_code == set(), "run `make catalog`: the .pot has stale messages"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language):
    po = catalog(language)
    template = message_ids(catalog(None))
    assert message_ids(po) == template, "run `make catalog`, then translate"
    untranslated = [m.id for m in po if m.id and (
        m.fuzzy or not all(m.string if isinstance(m.string, tuple) else (m.string,)))]
    assert untranslated == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_placeholders_and_tags(language):
    for message in catalog(language):
        if not message.id:
            continue
        source = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            assert set(re.findall(r"\{\w+\}", string)) == set(re.findall(r"\{\w+\}", source)), \
                source
            assert re.findall(r"</?\w+>", string) == re.findall(r"</?\w+>", source), source


def test_indonesian_has_one_plural_form():
    assert catalog("id").plural_forms == "nplurals=1; plural=0;"


@pytest.fixture(scope="module")
def catalogs():
    return Catalogs(ZoneInfo("Asia/Jakarta"))


def test_dates_and_times_as_people_write_them(catalogs):
    moment = datetime(2027, 10, 6, 2, 0, tzinfo=UTC)  # 09.00 WIB
    assert catalogs.get("id").datetime(moment) == "Rabu, 6 Oktober 2027 pukul 09.00 WIB"
    # Babel (CLDR) puts a narrow no-break space before AM/PM.
    assert catalogs.get("en").datetime(moment) == \
        "Wednesday, 6 October 2027 at 9:00\u202fAM WIB"
    assert catalogs.get("id").number(1234.5) == "1.234,5"
    assert catalogs.get("en").number(1234.5) == "1,234.5"


def test_plurals_use_the_catalog(catalogs):
    assert catalogs.get("en").ngettext("{count} piece", "{count} pieces", 1) == "{count} piece"
    assert catalogs.get("en").ngettext("{count} piece", "{count} pieces", 5) == "{count} pieces"
    indonesian = catalogs.get("id")
    assert indonesian.ngettext("{count} piece", "{count} pieces", 1) == \
        indonesian.ngettext("{count} piece", "{count} pieces", 5)


@pytest.mark.parametrize(("code", "language"), [
    ("id", "id"), ("en", "en"), ("en-GB", "en"), ("jv", "id"), ("fr", "id"), (None, "id"),
])
def test_the_first_language_comes_from_telegram(code, language):
    assert pick_language(code, "id") == language


async def test_a_third_language_added_in_one_place_is_spoken(tmp_path, monkeypatch):
    """README's "add a language": one entry in bot/languages.py, `make catalog`, translate."""
    import shutil

    from babel.messages.pofile import write_po

    from bot import catalog as upkeep
    from bot import languages
    from bot.cli import FEATURES
    from bot.config import load_config
    from bot.core import Core
    from bot.storage import Database
    from tests.support.config import write_config
    from tests.support.owner import Owner

    javanese = languages.Language("jv", "Basa Jawa", "nplurals=1; plural=0;", "id")
    monkeypatch.setattr(languages, "ALL", (*languages.ALL, javanese))
    locales = tmp_path / "locales"
    shutil.copytree(LOCALES_DIR, locales)
    monkeypatch.setattr(upkeep, "LOCALES_DIR", locales)
    upkeep.update()  # what `make catalog` runs: the new catalog appears, every message in it
    path = locales / "jv" / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as handle:
        po = read_po(handle, locale="jv")
    assert message_ids(po) == message_ids(catalog(None))
    po["I will write in English from now on."].string = "Wiwit saiki aku nulis nganggo basa Jawa."
    with path.open("wb") as handle:
        write_po(handle, po)

    config = load_config(write_config(tmp_path), env={})
    db = await Database.open(config.database)
    try:
        core = Core(config, db, Catalogs(config.time_zone, locales), FEATURES)
        assert core.catalogs.languages == ("id", "en", "jv")
        owner = Owner(core, language_code="jv")  # a Javanese phone gets Javanese now
        await owner.say("/bahasa")
        assert "Basa Jawa" in [b.label for r in owner.last for row in r.buttons for b in row]
        await owner.tap("Basa Jawa")
        assert "Wiwit saiki aku nulis nganggo basa Jawa." in owner.text()
        assert (await db.owners.find("telegram", "1001")).language == "jv"
        # Indonesian command names, and what is not translated yet reads in Indonesian.
        indonesian = core.catalogs.get("id").gettext
        assert ("datasaya", indonesian("Your stored data")) in core.commands("jv")
    finally:
        await db.close()


def _command_names():
    """(English names, Indonesian names) of every command, aliases included."""
    from bot.cli import FEATURES
    from bot.router import Router

    router = Router()
    for feature in FEATURES:
        feature.register(router)
    english = {c.names[-1] for c in router.ordered}
    indonesian = {c.names[0] for c in router.ordered}
    return english, indonesian


def test_each_language_cites_the_command_names_of_its_own_command_list():
    """Issue 12: English told owners to type /datasaya while their list showed /mydata."""
    english, indonesian = _command_names()
    cited = re.compile(r"(?<![\w/.<])/([a-z]{3,20})\b")
    wrong = []
    for m in catalog("id"):
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        for text in ids:
            wrong += [("en", name, text[:60]) for name in cited.findall(text or "")
                      if name not in english]
        for text in strings:
            wrong += [("id", name, text[:60]) for name in cited.findall(text or "")
                      if name not in indonesian]
    assert wrong == []
