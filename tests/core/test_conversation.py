"""Whole conversations through the core, as a channel drives it (no Telegram, no network)."""

from __future__ import annotations

import pytest

from bot.channel import InboundKind, Notice, Reply, Tidy
from tests.support.owner import Owner, button, start, texts
from tests.support.script import ELIGIBLE, NOT_ELIGIBLE

ANSWERS_ELIGIBLE = ELIGIBLE.steps("en")
# Where each question is in the eligible owner's steps (the KTP question comes first).
KTP, NAME, BUSINESS, PRODUCT, NIB, OWN, QUALITY, CAPACITY = 0, 1, 2, 3, 4, 5, 6, 9


async def test_an_eligible_owner_reaches_the_result(core):
    owner = Owner(core, language_code="en")
    await owner.say("/start")
    assert "Do you agree?" in owner.text() and "never your NIK" in owner.text()
    await owner.tap("I agree")
    # The welcome stays as what was agreed to (its buttons taken), the question comes new.
    tidy, question = owner.last
    assert tidy == Tidy(()) and isinstance(question, Reply) and not question.replace
    assert "1/12 · In which kecamatan is the address on your KTP?" in owner.text()
    await owner.run(ANSWERS_ELIGIBLE)
    summary = owner.text()
    assert "Please check your answers" in summary
    assert "NIB: 1234567890123" in summary and "Production: 20 kodi a month" in summary
    assert "KTP: Pekalongan Barat" in summary
    await owner.tap("Submit")
    result = owner.text()
    assert "Good news, Budi Santoso!" in result
    assert "Export readiness: 98 of 100" in result  # 400 pieces = 4x the minimum: 18/20
    stored = await core.db.owners.find("telegram", "1001")
    assert stored.eligible is True and stored.readiness == 98
    assert stored.result["unmet"] == []


async def test_a_channel_that_knows_the_number_answers_the_phone_question(core):
    owner = Owner(core, user_id="wa-77", language_code="en", channel="whatsapp",
                  address="6281234567890")
    await start(owner)
    await owner.run(ANSWERS_ELIGIBLE[:-1])  # everything but typing the number
    summary = owner.text()
    assert "Please check your answers" in summary and "Phone: +6281234567890" in summary
    await owner.tap("Change an answer")
    await owner.tap("More")  # the second page of answers
    await owner.tap("Phone")
    assert "Which phone number" in owner.text()  # asked now, with the current answer
    assert "Your answer now: +6281234567890" in owner.text()
    await owner.say("0813 1111 2222")
    assert "Phone: +6281311112222" in owner.text()


async def test_a_not_yet_eligible_owner_gets_every_unmet_criterion_with_a_next_step(core):
    owner = Owner(core, language_code="en")
    await start(owner)
    await owner.run(NOT_ELIGIBLE.steps("en"))
    await owner.tap("Submit")
    result = owner.text()
    assert "does not meet 3 requirements of the training yet" in result
    assert "NIB (business ID number): free and at once at oss.go.id" in result
    assert "Proof of product quality: Batikmark or SNI for batik" in result
    assert "KTP address in Kota Pekalongan:" in result
    assert "Production quantity" not in result and "Own production:" not in result
    assert "Dindagkop-UKM Kota Pekalongan" in result  # who to ask
    await owner.tap("ℹ️ Quality proof")  # the whole next step, a tap away
    assert "Batikmark label at BBKB Yogyakarta" in owner.text()
    stored = await core.db.owners.find("telegram", "1001")
    assert stored.eligible is False and stored.result["unmet"] == ["nib", "quality", "ktp"]
    assert "nib" not in await core.db.owners.answers(stored.id)


async def test_every_answer_is_stored_the_moment_it_is_given(core):
    owner = Owner(core, language_code="en")
    await start(owner)
    await owner.run(ANSWERS_ELIGIBLE[:BUSINESS + 1])
    stored = await core.db.owners.find("telegram", "1001")
    assert await core.db.owners.answers(stored.id) == {
        "ktp_city": "yes", "kecamatan": "barat", "name": "Budi Santoso",
        "business_name": "Batik Sekar"}
    assert stored.consent_version == "2026-11" and stored.consent_at is not None


async def test_invalid_answers_are_re_asked_with_what_is_wrong_in_one_message(core):
    owner = Owner(core, language_code="en")
    await start(owner)
    await owner.run(ANSWERS_ELIGIBLE[:NIB])
    replies = await owner.say("12345")
    assert len(replies) == 1  # the problem and the question again, in one message
    assert "exactly 13 digits; you sent 5" in owner.text()
    assert "5/12 · Do you have an NIB" in owner.text()
    await owner.say("1234567890123")
    assert "6/12 · Do you make the products you sell yourself?" in owner.text()


async def test_back_and_edit_from_the_summary(core):
    owner = Owner(core, language_code="en")
    await start(owner)
    await owner.run(ANSWERS_ELIGIBLE[:PRODUCT + 1])
    await owner.say("/kembali")
    assert "What does your business make?" in owner.text()
    assert "Your answer now: Batik" in owner.text()
    await owner.tap("Processed fish")
    assert "Do you have an NIB" in owner.text()  # the next question
    await owner.run(ANSWERS_ELIGIBLE[NIB:])
    await owner.tap("Change an answer")
    await owner.tap("Business")
    assert "Your answer now: Batik Sekar" in owner.text()
    await owner.say("Ikan Asap Bu Sri")
    assert "Please check your answers" in owner.text()
    assert "Business: Ikan Asap Bu Sri" in owner.text()
    assert "Product: Processed fish" in owner.text()


async def test_changing_an_answer_after_the_result_asks_to_submit_again(core):
    owner = Owner(core, language_code="en")
    await start(owner)
    await owner.run(ANSWERS_ELIGIBLE)
    await owner.tap("Submit")
    await owner.say("/ubah")
    await owner.tap("KTP")
    await owner.tap("Elsewhere")
    assert "Please check your answers" in owner.text()
    assert "Pekalongan Barat" not in owner.text()  # no longer applies, and dropped
    stored = await core.db.owners.find("telegram", "1001")
    assert stored.finished_at is None
    await owner.tap("Submit")
    assert "KTP address in Kota Pekalongan:" in owner.text()


async def test_pause_keeps_answers_and_continue_resumes_at_the_same_question(core):
    owner = Owner(core, language_code="en")
    await start(owner)
    await owner.run(ANSWERS_ELIGIBLE[:NIB + 1])
    await owner.say("/jeda")
    assert "Your answers are kept" in owner.text()
    await owner.say("hello?")
    assert "paused" in owner.text()  # not taken as an answer
    await owner.say("/lanjut")
    assert "6/12 · Do you make the products you sell yourself?" in owner.text()
    await owner.say("/batal")  # the old name still pauses
    assert "Your answers are kept" in owner.text()
    assert (await core.db.owners.find("telegram", "1001")).paused


async def test_coming_back_days_later_shows_the_same_question_first(core, clock):
    owner = Owner(core, language_code="en")
    await start(owner)
    await owner.run(ANSWERS_ELIGIBLE[:BUSINESS + 1])
    clock.advance(days=3)
    await owner.say("hi, I'm back")
    assert "Welcome back" in owner.text() and "What does your business make?" in owner.text()
    stored = await core.db.owners.find("telegram", "1001")
    assert "product_type" not in await core.db.owners.answers(stored.id)


async def test_restart_asks_first_and_then_forgets_the_answers(core):
    owner = Owner(core, language_code="en")
    await start(owner)
    await owner.run(ANSWERS_ELIGIBLE[:BUSINESS + 1])
    await owner.say("/ulang")
    await owner.tap("No, keep")
    assert "3/12 · What is the name of your business?" not in owner.text()
    assert "What does your business make?" in owner.text()  # back where the owner was
    stored = await core.db.owners.find("telegram", "1001")
    assert len(await core.db.owners.answers(stored.id)) == 4
    await owner.say("/ulang")
    await owner.tap("Yes, start over")
    assert "1/12 · In which kecamatan" in owner.text()
    assert await core.db.owners.answers(stored.id) == {}


async def test_my_data_shows_it_in_short_and_delete_erases_it_for_good(core):
    owner = Owner(core, language_code="en")
    await owner.say("/start poster-batik")
    await owner.tap("I agree")
    await owner.run(ANSWERS_ELIGIBLE[:NAME + 1])
    await owner.say("/datasaya")
    data = owner.text()
    assert "Came from: poster-batik" in data and "Answers: 3 stored" in data
    assert "privacy notice version 2026-11" in data
    await owner.tap("My answers")
    assert "Name: Budi Santoso" in owner.text() and "KTP: Pekalongan Barat" in owner.text()
    await owner.say("/hapusdata")
    await owner.tap("No, keep")
    assert "Siapa nama" not in owner.text() and "What is the name of your business" in \
        owner.text()  # back to the question
    assert await core.db.owners.find("telegram", "1001") is not None
    await owner.say("/hapusdata")
    confirm = owner.last
    await owner.press(button(confirm, "Yes, delete"))
    assert "All your data has been deleted" in owner.text()
    assert await core.db.owners.find("telegram", "1001") is None
    await owner.press(button(confirm, "Yes, delete"))  # the old button again
    assert "No data about you is stored" in owner.text()
    assert await core.db.owners.find("telegram", "1001") is None


async def test_the_whole_privacy_notice_is_a_button_away(core):
    owner = Owner(core, language_code="en")
    await owner.say("/start")
    await owner.tap("Read the notice")
    assert "export experience and a phone number" in owner.text()
    assert "Privacy notice version 2026-11" in owner.text()
    await owner.tap("I agree")
    assert "1/12" in owner.text()
    await owner.say("/mydata")
    await owner.tap("Privacy notice")
    assert "You agreed on" in owner.text() and "version 2026-11" in owner.text()


async def test_declining_consent_stores_no_answers_and_asks_again_later(core):
    owner = Owner(core, language_code="en")
    await owner.say("/start")
    await owner.tap("not now")
    assert "none of your answers will be stored" in owner.text().lower()
    await owner.say("Budi")
    assert "Do you agree?" in owner.text()
    stored = await core.db.owners.find("telegram", "1001")
    assert stored.consent_at is None and await core.db.owners.answers(stored.id) == {}


async def test_language_follows_telegram_first_and_can_be_switched(core):
    owner = Owner(core, language_code="en-GB")
    await owner.say("/start")
    assert "Welcome to the export training of" in owner.text()
    await owner.tap("I agree")
    await owner.say("/bahasa")
    replies = await owner.tap("Bahasa Indonesia")
    stored = await core.db.owners.find("telegram", "1001")
    assert stored.language == "id"
    # One message: said in the new language, with the question again.
    assert len([r for r in replies if isinstance(r, Reply)]) == 1
    assert "1/12 · Alamat KTP Anda di kecamatan mana?" in owner.text()
    await owner.say("/language")
    await owner.tap("English")
    assert "I will write in English from now on." in owner.text()


@pytest.mark.parametrize(("kind", "fields", "expected"), [
    (InboundKind.MEDIA, {"media": "photo"}, "I can only read text messages and buttons"),
    (InboundKind.MEDIA, {"media": "sticker"}, "I can only read text messages and buttons"),
    (InboundKind.MEDIA, {"media": "voice"}, "I can only read text messages and buttons"),
    (InboundKind.MEDIA, {"media": "document"}, "I can only read text messages and buttons"),
    (InboundKind.LOCATION, {}, "I do not need a location"),
    (InboundKind.EDITED, {"text": "Budi"}, "Edited messages are not read again"),
])
async def test_other_kinds_of_message_get_one_short_answer_and_lose_nothing(
    core, kind, fields, expected
):
    owner = Owner(core, language_code="en")
    await start(owner)
    await owner.run(ANSWERS_ELIGIBLE[:PRODUCT + 1])
    replies = await owner.send(kind, **fields)
    assert expected in owner.text()
    (reply,) = replies  # one message, naming the question above: no second live copy of it
    assert not reply.buttons and "Do you have an NIB" in owner.text()
    stored = await core.db.owners.find("telegram", "1001")
    assert len(await core.db.owners.answers(stored.id)) == 5


async def test_a_contact_where_no_number_is_asked_is_refused_with_the_question(core):
    owner = Owner(core, language_code="en")
    await start(owner)
    await owner.run(ANSWERS_ELIGIBLE[:PRODUCT + 1])
    replies = await owner.send(InboundKind.CONTACT, phone="081234567890")
    assert len(replies) == 1 and "A phone number is not needed here" in owner.text()
    assert "Do you have an NIB" in owner.text()


@pytest.mark.parametrize("text", ["🙂🙂🙂", "<script>alert(1)</script>", "x" * 5000, "   ",
                                  "\u202e\u200b", "/definitely_not_a_command", "/"])
async def test_odd_text_never_breaks_the_conversation(core, text):
    owner = Owner(core, language_code="en")
    await start(owner)
    await owner.tap("Pekalongan Barat")
    replies = await owner.say(text)
    assert replies, "every message gets an answer"
    for reply in replies:
        if isinstance(reply, Reply):
            assert "<script>" not in reply.text
    stored = await core.db.owners.find("telegram", "1001")
    assert set(await core.db.owners.answers(stored.id)) == {"ktp_city", "kecamatan"}
    assert "full name" in owner.text()  # the question, again (after a short line)


async def test_owner_text_is_escaped_when_echoed(core):
    owner = Owner(core, language_code="en")
    await start(owner)
    await owner.run(ANSWERS_ELIGIBLE[:NAME + 1])
    await owner.say("<b>Batik</b> & Co")
    await owner.say("/kembali")
    question = next(r for r in owner.last if isinstance(r, Reply))
    assert "&lt;b&gt;Batik&lt;/b&gt; &amp; Co" in question.text


async def test_a_button_pressed_twice_answers_once(core):
    owner = Owner(core, language_code="en")
    await start(owner)
    await owner.run(ANSWERS_ELIGIBLE[:BUSINESS + 1])
    data = button(owner.last, "Batik")
    first = await owner.press(data)
    # The pressed message moves on to the next question; the press is not said back (the
    # summary shows every answer before it is sent).
    (moved,) = [r for r in first if isinstance(r, Reply)]
    assert moved.replace and moved.text.startswith("<i>5/12</i> · ")
    assert "Do you have an NIB" in moved.text and moved.buttons
    second = await owner.press(data)
    # A double tap: a short notice and the current question again, complete (where the channel
    # edits, it takes the place of the pressed message, which shows it already).
    assert [type(r) for r in second] == [Notice, Reply]
    assert "no longer works" in second[0].text
    assert second[1].replace and "Do you have an NIB" in second[1].text
    assert second[1].buttons == moved.buttons
    stored = await core.db.owners.find("telegram", "1001")
    assert (await core.db.owners.answers(stored.id))["product_type"] == "batik"


@pytest.mark.parametrize("data", [
    "", "zz:1", "x" * 64, "ans:" + "x" * 61, "ans:name:x:y:z",
    # as the buttons are made now, and as older versions made them
    "ans:", "ans:name:x", "menu:nonexistent", "lang:fr", "edit:nib", "summary:bogus",
    "ans:product_type:../../etc", "keep:name", "nextstep:nothing", "ans:ktp_city:yes:kajen",
    "a:", "a:name:x", "m:nonexistent", "l:fr", "e:nib", "s:bogus", "a:product_type:../../etc",
    "k:name", "r:nothing", "a:ktp_city:yes:kajen"])
async def test_forged_or_unknown_buttons_are_refused_politely(core, data):
    owner = Owner(core, language_code="en")
    await start(owner)
    await owner.run(ANSWERS_ELIGIBLE[:BUSINESS + 1])
    replies = await owner.press(data)
    assert any(isinstance(r, Notice) and "no longer works" in r.text for r in replies)
    stored = await core.db.owners.find("telegram", "1001")
    assert len(await core.db.owners.answers(stored.id)) == 4


async def test_commands_mid_questionnaire_keep_the_place(core):
    owner = Owner(core, language_code="en")
    await start(owner)
    await owner.run(ANSWERS_ELIGIBLE[:PRODUCT + 1])
    await owner.say("/bantuan")
    assert "/mydata" in owner.text()
    await owner.tap("Continue")
    assert "Do you have an NIB" in owner.text()
    replies = await owner.say("/nonsense")
    # One short line and the question again, in one message (not the whole help).
    assert len(replies) == 1
    assert "I don't know that command. /help lists what I can do." in owner.text()
    assert "Do you have an NIB" in owner.text() and "/mydata" not in owner.text()


async def test_group_chats_are_told_to_talk_privately(core):
    from bot.channel import Inbound

    replies = await core.handle(Inbound("telegram", "5", "-100", InboundKind.COMMAND, text="/start",
                                        private=False, language_code="en"))
    assert "private chat" in texts(replies)
    quiet = await core.handle(Inbound("telegram", "5", "-100", InboundKind.TEXT, text="hello",
                                      private=False))
    assert quiet == []
    assert await core.db.owners.find("telegram", "5") is None


async def test_typed_choice_by_number_label_or_place_name(core):
    owner = Owner(core, language_code="en")
    await start(owner)
    await owner.say("utara")  # a kecamatan of the city, typed
    assert owner.text().startswith("✅ Pekalongan Utara\n\n2/12")  # typed: said as read
    await owner.run(ANSWERS_ELIGIBLE[NAME:BUSINESS + 1])
    await owner.say("batik")
    assert "Do you have an NIB" in owner.text()
    await owner.say("not yet")
    assert "Do you make the products you sell yourself?" in owner.text()
    await owner.say("2")
    assert "Which proofs of quality" in owner.text()


async def test_a_blocked_owner_is_marked_and_unmarked_when_they_write_again(core):
    owner = Owner(core, language_code="en")
    await start(owner)
    assert await owner.send(InboundKind.BLOCKED) == []
    assert (await core.db.owners.find("telegram", "1001")).blocked_at is not None
    await owner.say("/lanjut")
    assert (await core.db.owners.find("telegram", "1001")).blocked_at is None


async def test_after_going_back_the_next_question_comes_with_its_answer_to_keep(core):
    # Issue 12, item 5: back twice, then an answer: the next question (not a jump past it),
    # shown with its current answer, typed answers too, and a button to keep it.
    owner = Owner(core, language_code="en")
    await start(owner)
    await owner.run(ANSWERS_ELIGIBLE[:CAPACITY + 2])  # up to the packaging question
    await owner.say("/kembali")
    await owner.say("/kembali")
    assert "8/12 · How much can you produce?" in owner.text()
    assert "Your answer now: 20 kodi a month" in owner.text()
    await owner.tap("Keep this answer")
    assert "9/12 · Is that amount steady every month?" in owner.text()
    assert "Your answer now: Yes, steady" in owner.text()
    await owner.tap("Goes up and down")
    assert "10/12 · How is your product packaged?" in owner.text()
    stored = await core.db.owners.find("telegram", "1001")
    answers = await core.db.owners.answers(stored.id)
    assert answers["steady"] == "varies" and answers["capacity"]["amount"] == 20
