"""Templates as configuration: the shipped file is valid and covers every kind; broken files are
refused with a sentence naming what is wrong; a template is filled in the owner's language with
parameters Meta accepts; `umkm-bot templates` prints what Meta's template API takes."""

from __future__ import annotations

import json
import re
import tomllib
from copy import deepcopy

import pytest

from bot.config import DEFAULT_TEMPLATES, load_config
from bot.maintenance import templates_command
from bot.templates import (
    TemplateError,
    fill,
    kinds,
    load_templates,
    meta_json,
    parse_templates,
)
from tests.support.config import write_config

SHIPPED = tomllib.loads(DEFAULT_TEMPLATES.read_text(encoding="utf-8"))
SESSION = {"session_title": "Pelatihan Ekspor Oktober 2027",
           "session_date": "Rabu, 6 Oktober 2027 pukul 09.00 WIB",
           "session_place": "Aula Dindagkop-UKM", "session_id": 3, "time_left": "7 hari lagi"}


def broken(change) -> dict:
    """The shipped templates with one thing changed by `change(raw)`."""
    raw = deepcopy(SHIPPED)
    change(raw)
    return raw


def test_the_shipped_templates_are_valid_and_cover_every_kind_of_the_default_offsets():
    templates = load_templates(DEFAULT_TEMPLATES)
    assert templates.missing(("7d", "1d", "2h")) == []
    assert set(templates.kinds) == set(kinds(("7d", "1d", "2h")))
    assert templates.missing(("3d", "1d")) == ["reminder_3d"]
    for template in templates.templates.values():
        assert list(template.texts) == ["id", "en"]  # Indonesian first, English too
    assert templates.for_kind("announcement").marketing
    assert not templates.for_kind("reminder_2h").marketing


@pytest.mark.parametrize(("change", "message"), [
    (lambda raw: raw["kinds"].update(reminder_week="umkm_pengingat_pelatihan"),
     "unknown kind 'reminder_week'"),
    (lambda raw: raw["kinds"].update(seat_lost="nope"), "not defined ([templates.nope])"),
    (lambda raw: raw["templates"]["umkm_kursi_dialihkan"].update(params=["session_title",
                                                                        "year", "position"]),
     "uses 'year', which a seat_lost message does not have"),
    (lambda raw: raw["templates"]["umkm_pelatihan_dibatalkan"]["id"].update(
        body="Dibatalkan: {{1}} pada {{3}}."), "body must use {{1}} to {{2}}"),
    (lambda raw: raw["templates"]["umkm_pelatihan_dibatalkan"]["id"].update(
        body="{{1}} ({{2}}) dibatalkan oleh kami."), "must not start or end with a parameter"),
    (lambda raw: raw["templates"]["umkm_pelatihan_dibatalkan"]["en"].update(
        buttons=["See every training session of the office"]), "at most 25 characters"),
    (lambda raw: raw["templates"]["umkm_pelatihan_dibatalkan"].update(category="promo"),
     'category must be "utility" or "marketing"'),
    (lambda raw: raw["templates"]["umkm_pengumuman_foto"].pop("header"),
     "announcement_photo needs a template with image header"),
    (lambda raw: raw["templates"]["umkm_pengumuman"].update(jv={"body": "x {{1}} y"}),
     "unknown key 'jv'"),
    (lambda raw: raw["templates"].update({"Bad-Name": raw["templates"]["umkm_pengumuman"]}),
     "a template name has only a-z, 0-9 and _"),
])
def test_a_broken_templates_file_is_refused_naming_what(change, message):
    with pytest.raises(TemplateError) as refused:
        parse_templates(broken(change), "templates.toml")
    assert message in str(refused.value)
    assert str(refused.value).startswith("templates.toml")


def test_a_broken_templates_file_stops_the_configuration_with_one_sentence(tmp_path):
    (tmp_path / "t.toml").write_text("[kinds]\nseat_lost = 'gone'\n", encoding="utf-8")
    with pytest.raises(Exception) as refused:
        load_config(write_config(tmp_path, '[whatsapp]\ntemplates = "t.toml"\n'), env={})
    assert "seat_lost names a template that is not defined" in str(refused.value)
    assert load_config(write_config(tmp_path, '[whatsapp]\ntemplates = ""\n'),
                       env={}).whatsapp.templates.templates == {}


def test_a_template_is_filled_in_the_owners_language_with_its_buttons_data():
    templates = load_templates(DEFAULT_TEMPLATES)
    reminder = templates.for_kind("reminder_1d")
    message = fill(reminder, "id", SESSION)
    assert message.name == "umkm_pengingat_pelatihan" and message.language == "id"
    assert message.params == ("7 hari lagi", "Pelatihan Ekspor Oktober 2027",
                              "Rabu, 6 Oktober 2027 pukul 09.00 WIB", "Aula Dindagkop-UKM")
    assert message.buttons == ("attend:yes:3", "attend:no:3")
    assert message.labels == ("Ya, saya datang", "Saya tidak bisa datang")
    assert "Waktu: Rabu, 6 Oktober 2027 pukul 09.00 WIB" in message.body
    assert fill(reminder, "en", SESSION).language == "en"
    assert fill(reminder, "jv", SESSION).language == "id"  # no Javanese text: the first one


def test_parameters_are_one_line_and_a_long_announcement_is_shortened_at_a_word():
    templates = load_templates(DEFAULT_TEMPLATES)
    text = "*Pelatihan ekspor* dibuka!\n\nDaftar\tsekarang:   " + "batik tulis " * 200
    message = fill(templates.for_kind("announcement"), "id", {"text": text, "broadcast_id": 9})
    (value,) = message.params
    assert "\n" not in value and "\t" not in value and "  " not in value
    assert value.startswith("*Pelatihan ekspor* dibuka! · Daftar sekarang: batik tulis")
    assert value.endswith("…") and not value.endswith(" …")
    assert len(message.body) <= 1024
    assert message.buttons == ("readall:9", "nonews") and message.marketing


def test_the_json_for_meta_has_every_template_in_every_language_with_examples(tmp_path):
    import io

    out = io.StringIO()
    config = load_config(write_config(tmp_path), env={})
    assert templates_command(config, out) == 0
    printed = json.loads(out.getvalue())
    assert printed == meta_json(config.whatsapp.templates, _examples(printed))
    assert len(printed) == 2 * len(config.whatsapp.templates.templates)
    by_name = {(t["name"], t["language"]): t for t in printed}
    reminder = by_name[("umkm_pengingat_pelatihan", "id")]
    assert reminder["category"] == "UTILITY"
    body, buttons = reminder["components"]
    assert body["type"] == "BODY" and "{{4}}" in body["text"]
    assert body["example"]["body_text"] == [["7 hari lagi", "Pelatihan Ekspor Oktober 2027",
                                             "Rabu, 6 Oktober 2027 pukul 09.00 WIB",
                                             "Aula Dindagkop-UKM, Jl. Sriwijaya No. 44, "
                                             "Pekalongan"]]
    assert buttons == {"type": "BUTTONS", "buttons": [
        {"type": "QUICK_REPLY", "text": "Ya, saya datang"},
        {"type": "QUICK_REPLY", "text": "Saya tidak bisa datang"}]}
    photo = by_name[("umkm_pengumuman_foto", "en")]
    assert photo["category"] == "MARKETING"
    assert photo["components"][0]["type"] == "HEADER"
    assert photo["components"][0]["format"] == "IMAGE"
    for template in printed:  # as Meta checks them
        assert re.fullmatch(r"[a-z0-9_]+", template["name"])
        (text,) = [c["text"] for c in template["components"] if c["type"] == "BODY"]
        assert not re.match(r"\{\{\d+\}\}", text) and len(text) <= 1024


def _examples(printed):
    """The example values `printed` carries, as the function meta_json asks for."""
    found = {}
    config_templates = load_templates(DEFAULT_TEMPLATES).templates
    for template in printed:
        params = config_templates[template["name"]].params
        for component in template["components"]:
            if component["type"] == "BODY" and "example" in component:
                for name, value in zip(params, component["example"]["body_text"][0],
                                       strict=True):
                    found[(name, template["language"])] = value
    return lambda name, language: found[(name, language)]
