"""Issue 12's "wrong or stuck" items, as an owner meets them: Kota or Kabupaten, a seat given up
by changed answers, /berhenti mid-questionnaire, and the office to turn to."""

from __future__ import annotations

import pytest

from bot.channel import Reply, plain_text
from bot.cli import FEATURES
from bot.config import load_config
from bot.core import Core
from tests.support.config import catalogs, fresh_database, write_config
from tests.support.owner import Owner, button, start
from tests.support.script import ELIGIBLE
from tests.support.sessionkit import deliver, eligible, outbox, session
from tests.support.walkthrough import buttons

STEPS = ELIGIBLE.steps("en")
OFFICE = ('[office]\nname = "Dindagkop-UKM Kota Pekalongan"\nwhatsapp = "6281200001111"\n'
          'address = "Jl. Sriwijaya No. 44"\nhours = "Senin-Jumat 08.00-15.00 WIB"\n'
          'web = "https://dindagkop.example.go.id"\n')


@pytest.fixture
async def core_with_office(tmp_path, clock):
    """A core whose config.toml names the office's contact."""
    config = load_config(write_config(tmp_path, OFFICE), env={})
    db = await fresh_database(config.database)
    yield Core(config, db, catalogs(config.time_zone), FEATURES, clock=clock)
    await db.close()


# ---------------------------------------------------------------- 2. Kota or Kabupaten


async def test_a_kedungwuni_owner_is_told_at_once_kindly_and_may_finish_anyway(core):
    owner = Owner(core, language_code="en")
    await start(owner)
    question = owner.text()
    assert "Kota Pekalongan only, not the Kabupaten (Kajen, Kedungwuni" in question  # plain
    assert "Kabupaten Pekalongan" in [b.label for b in buttons(owner.last)]
    await owner.say("Kedungwuni")  # typed, as owners do: understood as the Kabupaten
    told = owner.text()
    assert told.startswith("✅ Kabupaten Pekalongan\n\n")  # typed "Kedungwuni": said as read
    assert "your business cannot join this training" in told
    assert "its own government and trade office" in told  # what to do instead
    assert "Dindagkop-UKM Kota Pekalongan" in told  # who to ask
    labels = [b.label for b in buttons(owner.last)]
    assert labels == ["▶️ Go on anyway", "⏸ Stop here", "⬅️ Change my answer"]
    await owner.tap("Go on anyway")
    assert "2/12 · What is your full name?" in owner.text()
    stored = await core.db.owners.find("telegram", "1001")
    assert (await core.db.owners.answers(stored.id)) == {"ktp_city": "kabupaten"}


async def test_stop_here_pauses_and_change_my_answer_goes_back(core):
    owner = Owner(core, language_code="en")
    await start(owner)
    await owner.tap("Elsewhere")
    await owner.tap("Change my answer")
    assert "1/12 · In which kecamatan" in owner.text()
    assert "Your answer now: Elsewhere" in owner.text()
    await owner.tap("Pekalongan Selatan")  # a mistake corrected: no notice this time
    assert "2/12 · What is your full name?" in owner.text()
    assert "cannot join" not in owner.text()
    await owner.say("/back")
    await owner.tap("Kabupaten Pekalongan")
    await owner.tap("Stop here")
    assert "the questions are paused" in owner.text()
    assert (await core.db.owners.find("telegram", "1001")).paused


async def test_a_kecamatan_outside_the_city_typed_where_the_kecamatan_is_asked(core):
    # An owner who answered "Kota" the old way, then types a Kabupaten kecamatan: not stuck.
    owner = Owner(core, language_code="en")
    await start(owner)
    stored = await core.db.owners.find("telegram", "1001")
    await core.db.owners.save_step(stored.id, {"ktp_city": "yes"}, (), None, (), None,
                                   core.clock())
    await owner.say("/lanjut")
    assert "In which kecamatan (district) of the city?" in owner.text()
    assert "Another kecamatan" in [b.label for b in buttons(owner.last)]
    await owner.say("kajen")
    assert owner.text().startswith("✅ Another kecamatan\n\n")
    assert "your business cannot join this training" in owner.text()


# ---------------------------------------------------------------- 3. a seat and /ubah


async def _seated(core, clock):
    s = await session(core.db, clock(), capacity=1)
    owner = Owner(core, language_code="en")
    await start(owner)
    await owner.run(STEPS)
    await owner.tap("Submit")
    await owner.say("/jadwal")
    await owner.tap("✍️")
    assert "You are registered!" in owner.text()
    waiting_id = await eligible(core.db, 2002, clock())
    await Owner(core, "2002", "en").press(f"signup:join:{s.id}")
    return s, owner, waiting_id


async def test_changed_answers_that_no_longer_qualify_warn_then_free_the_seat(core, clock):
    s, owner, waiting_id = await _seated(core, clock)
    await owner.say("/ubah")
    await owner.tap("Own production")
    await owner.tap("No")  # "I resell": no longer eligible
    summary = owner.text()
    # Before anything is sent: what sending would do, and a button that says it.
    assert "no longer meets every requirement" in summary
    assert "your seat in Pelatihan Ekspor Oktober 2027 is given to the next person" in summary
    assert next(b.label for b in buttons(owner.last)) == "✅ Submit, free seat"
    me = await core.db.owners.find("telegram", "1001")
    assert (await core.db.registrations.get(s.id, me.id)).status == "registered"
    # An older summary's button: the warning again, nothing sent.
    await owner.press("summary:submit")
    assert "no longer meets every requirement" in owner.text()
    assert (await core.db.registrations.get(s.id, me.id)).status == "registered"
    await owner.tap("Submit, free seat")
    result = owner.text()
    assert "does not meet 1 requirement of the training yet" in result
    assert "Freed for the next person on the waiting list: your seat in" in result
    assert (await core.db.registrations.get(s.id, me.id)).status == "cancelled"
    assert (await core.db.registrations.get(s.id, waiting_id)).status == "registered"
    assert [row[:2] for row in await outbox(core.db, "seat")] == [(waiting_id, "seat")]
    ((told, notice),) = await deliver(core)
    assert told == waiting_id and "a seat became free, and it is yours" in plain_text(
        notice.text)
    await owner.say("/jadwal")  # no "Cancel" beside "you cannot sign up yet" any more
    assert not any(b.data.startswith("signup:drop") for b in buttons(owner.last))
    assert "You cannot sign up yet" in owner.text()


async def test_changed_answers_that_still_qualify_keep_the_seat_without_a_warning(core, clock):
    s, owner, _waiting = await _seated(core, clock)
    await owner.say("/ubah")
    await owner.tap("Business")
    await owner.say("Batik Sekar Jaya")
    assert "no longer meets" not in owner.text()
    await owner.tap("Submit")
    assert "Good news" in owner.text()
    me = await core.db.owners.find("telegram", "1001")
    assert (await core.db.registrations.get(s.id, me.id)).status == "registered"


# ---------------------------------------------------------------- 4. /berhenti and friends


async def test_berhenti_mid_questionnaire_asks_and_returns_to_the_question(core):
    owner = Owner(core, language_code="en")
    await start(owner)
    await owner.run(STEPS[:3])
    await owner.say("/berhenti")
    assert "What do you want to stop?" in owner.text()
    me = await core.db.owners.find("telegram", "1001")
    assert await core.db.broadcasts.opted_out(me.id) is None  # nothing done before the answer
    await owner.tap("Nothing")
    assert "Nothing was changed." in owner.text()
    assert "4/12 · What does your business make?" in owner.text()  # where the owner was
    await owner.say("/stop")
    await owner.tap("Announcements")
    assert "Announcements stopped" in owner.text()
    assert "4/12 · What does your business make?" in owner.text()
    assert await core.db.broadcasts.opted_out(me.id) is not None
    await owner.say("/news")  # the new name: says how it is, asks before changing it
    assert "You stopped announcements" in owner.text()
    await owner.tap("Receive them")
    assert await core.db.broadcasts.opted_out(me.id) is None
    assert "What does your business make?" in owner.text()
    await owner.say("/berhenti")
    await owner.tap("Pause questions")
    assert "the questions are paused" in owner.text()


async def test_the_three_stop_words_are_different_commands_now(core):
    commands = dict(core.commands("id"))
    assert {"jeda", "batalikut", "kabar"} <= set(commands)
    assert not {"batal", "batalkan", "berhenti", "lanjutkanpesan"} & set(commands)
    english = dict(core.commands("en"))
    assert {"pause", "withdraw", "news"} <= set(english)
    assert {"batal", "batalkan", "berhenti", "lanjutkanpesan"} <= set(core.router.commands)


# ---------------------------------------------------------------- 7. the office


async def test_the_office_contact_is_in_the_result_the_advice_and_the_help(core_with_office):
    core = core_with_office
    owner = Owner(core, language_code="en")
    await start(owner)
    await owner.run(ELIGIBLE.but(has_nib="no").steps("en"))
    await owner.tap("Submit")
    result = owner.last
    assert "Dindagkop-UKM Kota Pekalongan" in owner.text()
    assert "WhatsApp https://wa.me/6281200001111" in owner.text()  # the quickest way, at once
    await owner.press(button(result, "Contact the office"))  # the rest a tap away
    assert "Jl. Sriwijaya No. 44 · Senin-Jumat 08.00-15.00 WIB" in owner.text()
    assert "https://dindagkop.example.go.id" in owner.text()
    await owner.press(button(result, "ℹ️ NIB"))
    assert "We can help you do it at our office" in owner.text()
    assert "https://wa.me/6281200001111" in owner.text()
    await owner.say("/help")
    assert "https://wa.me/6281200001111" in owner.text()
    await owner.tap("Contact the office")
    assert "https://dindagkop.example.go.id" in owner.text()


async def test_owners_see_no_reply_longer_than_a_phone_screen_here(core_with_office):
    owner = Owner(core_with_office, language_code="id")
    await owner.say("/bantuan")
    (reply,) = [r for r in owner.last if isinstance(r, Reply)]
    assert len(plain_text(reply.text).split("\n")) <= 12
    assert button(owner.last, "Menu")


# ---------------------------------------------------------------- less to read


async def test_only_an_answer_read_differently_from_how_it_was_typed_is_said_back(core):
    owner = Owner(core, language_code="en")
    await start(owner)
    await owner.run(STEPS[:4])  # the KTP, two names and the product: nothing said back
    assert owner.text().startswith("5/12 · Do you have an NIB")
    await owner.say("1234 5678 90123")  # the same number with spaces: nothing to say back
    assert owner.text().startswith("6/12 · Do you make")
    await owner.run(STEPS[5:9])
    await owner.say("20 kodi")  # read as a month's figure: the owner is told so
    assert owner.text().startswith("✅ 20 kodi a month\n\n9/12 · ")
    await owner.run(STEPS[10:])
    summary = owner.text()
    assert "NIB: 1234567890123" in summary and "Product: Batik" in summary  # all shown here
    await owner.tap("Submit")
    # Only the readiness parts short of full marks are named: what there is to gain.
    assert "Export readiness: 98 of 100 (Quantity 18/20)" in owner.text()
    assert "Quality" not in owner.text()
