"""End to end through Telegram: the real Application polls a fake Bot API on 127.0.0.1."""

from __future__ import annotations

import pytest

from tests.support.harness import Chat, all_text, running_bot, sent, telegram_config
from tests.support.script import ELIGIBLE, NOT_ELIGIBLE

pytestmark = pytest.mark.filterwarnings(
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"
)

ELIGIBLE_EN = ELIGIBLE.steps("en")


async def test_an_owner_reaches_the_result_on_telegram_in_english(fake, tmp_path):
    config = telegram_config(tmp_path, fake)
    async with running_bot(fake, config):
        commands = fake.calls("setMyCommands")
        assert {r.params.get("language_code") for r in commands} >= {"id", "en"}
        en = next(r for r in commands if r.params.get("language_code") == "en")
        assert {"command": "mydata", "description": "Your stored data"} in \
            en.params["commands"]
        chat = Chat(fake, 1001, "en")
        await chat.do("cmd", "/start")
        welcome = sent(chat.last)[0]
        assert welcome.parse_mode == "HTML"
        assert "never your NIK" in welcome.text and "Do you agree?" in welcome.text
        assert [label for row in welcome.buttons for label, _ in row] == [
            "✅ Yes, I agree", "📄 Read the notice", "No, not now"]
        await chat.do("tap", "I agree")
        assert any(r.method == "answerCallbackQuery" for r in chat.last)
        # The welcome stays as what was agreed to, without its buttons; the question is new.
        (tidy,) = [r for r in chat.last if r.method == "editMessageReplyMarkup"]
        assert tidy.params["message_id"] == welcome.result["message_id"]
        assert not tidy.params.get("reply_markup", {}).get("inline_keyboard")
        (first,) = [r for r in chat.last if r.method == "sendMessage"]
        assert "<i>1/12</i>" in first.text
        await chat.run(ELIGIBLE_EN[:3])
        question = sent(chat.last)[-1]
        assert "<i>4/12</i> · <b>What does your business make?</b>" in question.text
        assert [label for row in question.buttons for label, _ in row] == [
            "Batik", "Processed fish", "Something else"]  # no Back: changed in the summary
        await chat.run(ELIGIBLE_EN[3:-1])
        phone = sent(chat.last)[-1]
        assert phone.reply_keyboard == [["📱 Share my phone number"]]
        assert phone.params["reply_markup"]["keyboard"][0][0]["request_contact"] is True
        await chat.run(ELIGIBLE_EN[-1:])
        (summary,) = sent(chat.last)  # one message: the summary, with its buttons
        assert "Please check your answers" in summary.text and summary.buttons
        await chat.do("tap", "Submit")
        assert "Good news, Budi Santoso!" in chat.text()
        for request in sent(chat.history):
            assert request.parse_mode == "HTML" and len(request.text) <= 4096


async def test_a_button_answer_moves_its_message_on_to_the_next_question(fake, tmp_path):
    async with running_bot(fake, telegram_config(tmp_path, fake)):
        chat = Chat(fake, 1002, "en")
        await chat.run([("cmd", "/start"), ("tap", "I agree"), *ELIGIBLE_EN[:4]])
        (edit,) = [r for r in chat.last if r.method == "editMessageText"]
        assert edit.text.startswith("<i>5/12</i> · <b>Do you have an NIB")  # no "✅ Batik"
        assert [label for row in edit.buttons for label, _ in row] == ["Not yet"]
        assert not [r for r in chat.last if r.method == "sendMessage"]  # no new message
        asked = next(r for r in chat.history if r.method == "sendMessage" and any(
            d == "ans:product_type:batik" for row in r.buttons for _, d in row))
        assert edit.params["message_id"] == asked.result["message_id"]
        # A double tap of the old button on a slow phone: a pop-up, and the pressed message
        # (already the current question) shows the current question: no new message.
        again = await fake.process(chat.user.press(
            "ans:product_type:batik", asked.result["message_id"], check=False))
        answer = next(r for r in again if r.method == "answerCallbackQuery")
        assert "no longer works" in answer.params["text"]
        assert sorted(r.method for r in again) == ["answerCallbackQuery", "editMessageText"]
        current = next(r for r in again if r.method == "editMessageText")
        assert current.params["message_id"] == asked.result["message_id"]
        assert "Do you have an NIB" in current.text
        assert current.buttons == edit.buttons
        # Ticking a multi-select option redraws the question in place, ticks in text and keys.
        await chat.run(ELIGIBLE_EN[4:6])
        await chat.do("tap", "SNI")
        assert sorted(r.method for r in chat.last) == [
            "answerCallbackQuery", "editMessageText"]  # the two go out together
        redrawn = next(r for r in chat.last if r.method == "editMessageText")
        assert "✅ SNI" in [label for row in redrawn.buttons for label, _ in row]
        assert "Chosen: SNI" in redrawn.text


async def test_an_edit_telegram_refuses_is_sent_as_a_new_message(fake, tmp_path):
    """The core never relies on an edit: a refused one leaves the owner with the same content."""
    async with running_bot(fake, telegram_config(tmp_path, fake)):
        chat = Chat(fake, 1012, "en")
        await chat.run([("cmd", "/start"), ("tap", "I agree"), *ELIGIBLE_EN[:3]])
        fake.fail("editMessageText", kind="not_editable")
        await chat.do("tap", "Batik")
        refused, new = [r for r in chat.last if r.method in ("editMessageText", "sendMessage")]
        assert (refused.method, refused.status, new.method) == (
            "editMessageText", 400, "sendMessage")
        assert new.text == refused.params["text"]  # the same complete message
        assert new.text.startswith("<i>5/12</i> · <b>Do you have an NIB")
        await chat.do("say", "1234567890123")
        assert "Do you make the products you sell yourself?" in chat.text()


async def test_a_restart_resumes_at_the_same_question_with_every_answer(fake, tmp_path):
    config = telegram_config(tmp_path, fake)
    async with running_bot(fake, config):
        chat = Chat(fake, 1003, "en")
        await chat.run([("cmd", "/start"), ("tap", "I agree"), *ELIGIBLE_EN[:5]])
        assert "Do you make the products you sell yourself?" in chat.text()
    async with running_bot(fake, config) as channel:  # a new Application, same database
        await chat.do("cmd", "/lanjut")
        assert "6/12" in chat.text()
        assert "Do you make the products you sell yourself?" in chat.text()
        owner = await channel.core.db.owners.find("telegram", "1003")
        answers = await channel.core.db.owners.answers(owner.id)
        assert answers == {"ktp_city": "yes", "kecamatan": "barat", "name": "Budi Santoso",
                           "business_name": "Batik Sekar", "product_type": "batik",
                           "has_nib": "yes", "nib": "1234567890123"}
        await chat.run([(a, v) for a, v in ELIGIBLE_EN[5:]])
        await chat.do("tap", "Submit")
        assert "Good news" in chat.text()


@pytest.mark.parametrize(("action", "expected"), [
    ("photo", "I can only read text messages and buttons"),
    ("sticker", "I can only read text messages and buttons"),
    ("voice", "I can only read text messages and buttons"),
    ("video", "I can only read text messages and buttons"),
    ("document", "I can only read text messages and buttons"),
    ("location", "I do not need a location"),
])
async def test_every_kind_of_message_gets_an_answer(fake, tmp_path, action, expected):
    async with running_bot(fake, telegram_config(tmp_path, fake)) as channel:
        chat = Chat(fake, 1004, "en")
        await chat.run([("cmd", "/start"), ("tap", "I agree"), *ELIGIBLE_EN[:2]])
        if action == "location":
            chat.last = await fake.process(chat.user.location(-6.89, 109.67))
        else:
            await chat.do(action)
        assert expected in chat.text()
        assert "What is the name of your business?" in chat.text()
        owner = await channel.core.db.owners.find("telegram", "1004")
        assert await channel.core.db.owners.answers(owner.id) == {
            "ktp_city": "yes", "kecamatan": "barat", "name": "Budi Santoso"}


async def test_edited_messages_group_chats_and_blocking(fake, tmp_path):
    async with running_bot(fake, telegram_config(tmp_path, fake)) as channel:
        chat = Chat(fake, 1005, "en")
        await chat.run([("cmd", "/start"), ("tap", "I agree")])
        chat.last = await fake.process(chat.user.edited("Budi"))
        assert "Edited messages are not read again" in chat.text()
        group = await fake.process(chat.user.group_text("/start"))
        assert "private chat" in all_text(group)
        assert group[0].chat_id == -100123
        await fake.process(chat.user.my_chat_member("kicked"))
        owner = await channel.core.db.owners.find("telegram", "1005")
        assert owner.blocked_at is not None


async def test_contact_of_someone_else_and_huge_or_html_text(fake, tmp_path):
    async with running_bot(fake, telegram_config(tmp_path, fake)):
        chat = Chat(fake, 1006, "en")
        await chat.run([("cmd", "/start"), ("tap", "I agree"), ELIGIBLE_EN[0]])
        await chat.do("say", "<b>" + "x" * 5000)
        assert "That is too long (5005 characters)" in chat.text() or \
            "too long" in chat.text()
        for request in sent(chat.last):
            assert len(request.text) <= 4096 and "<b>xxx" not in request.text
        await chat.run([("say", "Budi <Santoso>")])
        assert "letters only" in chat.text()
        await chat.run([("say", "Budi Santoso"), ("say", "Toko <b>Batik</b> & Co")])
        await chat.do("cmd", "/kembali")
        assert "Toko &lt;b&gt;Batik&lt;/b&gt; &amp; Co" in sent(chat.last)[-1].text


async def test_an_error_inside_the_bot_is_answered_and_loses_nothing(fake, tmp_path):
    async with running_bot(fake, telegram_config(tmp_path, fake)) as channel:
        chat = Chat(fake, 1007, "en")
        await chat.run([("cmd", "/start"), ("tap", "I agree"), *ELIGIBLE_EN[:2]])
        original = channel.core.db.owners.save_step

        async def broken(*args, **kwargs):
            raise RuntimeError("disk on fire")

        channel.core.db.owners.save_step = broken
        await chat.do("say", "Batik Sekar")
        assert "Sorry, something went wrong on our side" in chat.text()
        channel.core.db.owners.save_step = original
        await chat.do("say", "Batik Sekar")
        assert "What does your business make?" in chat.text()


# Typed the Indonesian way: a decimal comma, and the phone number typed, not shared.
ELIGIBLE_ID = ELIGIBLE.but(capacity="2,5 kuintal", phone="0812-3456-7890",
                           share_phone=False).steps("id")
# Every criterion unmet: fish products (their own next steps), resold, too little of them.
NOTHING_MET = NOT_ELIGIBLE.but(product_type="fish", own_production="resell", capacity="30 kg")


async def test_an_eligible_owner_in_indonesian_using_buttons_for_every_choice(fake, tmp_path):
    async with running_bot(fake, telegram_config(tmp_path, fake)) as channel:
        chat = Chat(fake, 2001, "id")
        await chat.do("cmd", "/start poster-ikan")
        assert "tidak pernah NIK" in chat.text() or "tanpa NIK" in chat.text()
        await chat.do("tap", "Ya, setuju")
        assert "<i>1/12</i> · <b>Alamat KTP Anda di kecamatan mana?</b>" in chat.text()
        await chat.run(ELIGIBLE_ID)
        assert "Periksa jawaban, lalu tekan Kirim" in chat.text()
        assert "Produksi</b>: 2,5 kuintal sebulan" in chat.text()
        await chat.do("tap", "Kirim")
        result = chat.text()
        assert "Selamat, Budi Santoso! Batik Sekar memenuhi semua syarat" in result
        assert "Kesiapan ekspor: <b>" in result
        owner = await channel.core.db.owners.find("telegram", "2001")
        assert owner.eligible and owner.source == "poster-ikan"
        answers = await channel.core.db.owners.answers(owner.id)
        assert answers["capacity"]["base"] == 250 and answers["kecamatan"] == "barat"
        # Typed: name, business, NIB, capacity and phone; every choice was a button.
        assert len([step for step in ELIGIBLE_ID if step[0] == "say"]) == 5
        assert {"name", "business_name", "nib", "capacity", "phone"} <= set(answers)


async def test_a_not_yet_eligible_owner_in_indonesian_gets_the_next_steps(fake, tmp_path):
    async with running_bot(fake, telegram_config(tmp_path, fake)):
        chat = Chat(fake, 2002, "id")
        await chat.run([("cmd", "/start"), ("tap", "Ya, setuju"),
                        *NOTHING_MET.steps("id"), ("tap", "Kirim")])
        result = chat.text()
        assert "belum memenuhi 5 syarat pelatihan" in result
        for part in ("oss.go.id", "SPP-IRT", "halal", "100 kg", "KTP Kota Pekalongan"):
            assert part in result, part
        assert result.count("❌") == 5
        await chat.do("tap", "ℹ️ Bukti mutu")  # the whole next step, a tap away
        assert "ptsp.halal.go.id" in chat.text() and "SPP-IRT" in chat.text()


async def test_a_press_too_old_to_answer_still_moves_the_owner_on(fake, tmp_path):
    """After the bot was down, Telegram refuses to answer presses made meanwhile; the answer is
    still recorded and the next question still comes, with no apology for a failure."""
    async with running_bot(fake, telegram_config(tmp_path, fake)):
        chat = Chat(fake, 1009, "en")
        await chat.run([("cmd", "/start"), ("tap", "I agree"), *ELIGIBLE_EN[:3]])
        fake.fail("answerCallbackQuery", chat_id=1009, kind="old_query")
        await chat.do("tap", "Batik")
        refused = [r for r in chat.last if r.method == "answerCallbackQuery"]
        assert refused and refused[0].status == 400
        (edit,) = [r for r in chat.last if r.method == "editMessageText"]
        assert edit.text.startswith("<i>5/12</i>")
        assert "went wrong" not in all_text(chat.last)
        await chat.do("tap", "Not yet")  # and the next press is answered as usual
        assert [r.status for r in chat.last if r.method == "answerCallbackQuery"] == [200]
