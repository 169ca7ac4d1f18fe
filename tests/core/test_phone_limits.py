"""Every message of the scripted owners' conversations fits a phone, in both languages.

At most 600 characters and 12 lines a message, button labels of at most 20 characters
(WhatsApp's limit), at most 10 buttons a message (a WhatsApp list), and one message back per
owner action (issue 12). The conversations: the eligible and the not-eligible owner from
/start to the result, then what owners do next (their data, their answers, changing one, the
sessions, the help, the next steps), and the side trips in the middle of the questions.
"""

from __future__ import annotations

import pytest

from bot.channel import InboundKind, Reply, plain_text
from bot.cli import FEATURES
from bot.config import load_config
from bot.core import Core
from tests.support.config import catalogs, fresh_database, write_config
from tests.support.sessionkit import session
from tests.support.walkthrough import ELIGIBLE, NOT_ELIGIBLE, Walk, buttons, figures

LIMIT_CHARS, LIMIT_LINES, LIMIT_LABEL, LIMIT_BUTTONS = 600, 12, 20, 10
# An office that fills in every field, long ones too: its contact must still fit.
OFFICE = ('[office]\nname = "Dindagkop-UKM Kota Pekalongan"\nwhatsapp = "6281200001111"\n'
          'phone = "(0285) 421234"\naddress = "Jl. Sriwijaya No. 44, Pekalongan"\n'
          'hours = "Senin-Kamis 07.30-16.00, Jumat 07.30-11.00 WIB"\n'
          'web = "https://dindagkop.pekalongankota.go.id"\n')


@pytest.fixture
async def core(tmp_path, clock):
    """A core whose office has every contact field filled in."""
    config = load_config(write_config(tmp_path, OFFICE), env={})
    db = await fresh_database(config.database)
    yield Core(config, db, catalogs(config.time_zone), FEATURES, clock=clock)
    await db.close()


def check(walk: Walk) -> None:
    """Every turn: one message (a notice beside it at most), within the phone's limits."""
    for action, turn in zip(walk.actions, walk.turns, strict=True):
        messages = [r for r in turn if isinstance(r, Reply)]
        assert len(messages) == 1, (action, [plain_text(m.text)[:60] for m in messages])
        for message in messages:
            text = plain_text(message.text)
            labels = [b.label for row in message.buttons for b in row]
            where = f"{action}: {text[:80]!r}"
            assert len(text) <= LIMIT_CHARS, (where, len(text))
            assert len(text.split("\n")) <= LIMIT_LINES, (where, text)
            assert len(labels) <= LIMIT_BUTTONS, (where, labels)
            for label in labels:
                assert len(label) <= LIMIT_LABEL, (where, label)
            for b in (b for row in message.buttons for b in row):
                assert len(b.description) <= 72, (where, b.description)


async def press_any(walk: Walk, prefix: str) -> None:
    """Press the first button of the last turn whose data starts with `prefix`."""
    data = next(b.data for b in buttons(walk.turns[-1]) if b.data.startswith(prefix))
    await walk.press(data)


@pytest.mark.parametrize("language", ["id", "en"])
async def test_the_eligible_owner_and_what_comes_after_fit_a_phone(core, clock, language):
    await session(core.db, clock())
    await session(core.db, clock(), title="Pelatihan Ekspor Oktober 2027, sesi kedua "
                                           "untuk perajin batik tulis dan cap")
    walk = Walk(core, language=language)
    await walk.answer(ELIGIBLE)
    await walk.say("/jadwal")
    await press_any(walk, "signup:join")
    await walk.say("/datasaya")
    await press_any(walk, "mydata:answers")
    await walk.say("/ubah")
    await press_any(walk, "summary:edit:2")  # the list of answers is paged
    await press_any(walk, "edit:")
    await walk.say("/bantuan")
    await walk.say("/menu")
    await walk.say("/batalikut")
    check(walk)


@pytest.mark.parametrize("language", ["id", "en"])
async def test_the_not_eligible_owner_and_the_next_steps_fit_a_phone(core, clock, language):
    await session(core.db, clock())
    walk = Walk(core, language=language, user_id="other")
    await walk.answer(NOT_ELIGIBLE)
    result = walk.turns[-1]
    for data in [b.data for b in buttons(result) if b.data.startswith("nextstep:")]:
        walk.turns.append(result)  # each next step from the result's own buttons
        walk.actions.append("(the result again)")
        await walk.press(data)
        walk.turns.pop(-2), walk.actions.pop(-2)
    await walk.say("/jadwal")
    await press_any(walk, "menu:kontak")
    await walk.say("/datasaya")
    await walk.say("/kabar")
    await walk.say("/bantuan")
    check(walk)


@pytest.mark.parametrize("language", ["id", "en"])
async def test_side_trips_in_the_middle_of_the_questions_fit_a_phone(core, language):
    walk = Walk(core, language=language, user_id="tripper")
    await walk.say("/start")
    await press_any(walk, "consent:notice")  # the whole privacy notice
    await walk.press("consent:yes")
    await press_any(walk, "ans:ktp_city:yes:")
    await walk.say("/berhenti")
    await press_any(walk, "news:keep")
    await walk.say("/tidakada")
    await walk.send(InboundKind.MEDIA, media="sticker")
    await walk.say("Budi Santoso")
    await walk.say("/kembali")
    await press_any(walk, "keep:")
    await walk.say("/ulang")
    await press_any(walk, "restart:no")
    await walk.say("/jeda")
    await walk.say("/lanjut")
    await walk.say("/bahasa")
    await press_any(walk, "lang:")
    check(walk)


async def test_the_eligible_owner_reads_far_less_than_before():
    """The figures of `make bench`, held to what they are now (issue 12: from 19 actions and
    about 5,700 characters, 1,031 characters and 18 lines at most)."""
    import tempfile
    from pathlib import Path

    from bench.bench_owner import walk

    with tempfile.TemporaryDirectory() as tmp:
        done = figures(await walk(dict(ELIGIBLE), Path(tmp)))
    assert done.actions <= 17
    assert done.longest_chars <= LIMIT_CHARS and done.longest_lines <= LIMIT_LINES
    assert done.chars <= 2800
