"""Tests of the fake Bot API server, driven by a real python-telegram-bot Application."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import time
import warnings
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    Message,
    MessageId,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.support.fakebotapi import FakeBotAPI, Request, UploadedFile

# RetryAfter reads its own deprecated int ``retry_after`` while being constructed.
pytestmark = pytest.mark.filterwarnings(
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"
)

TOKEN = "123456:TEST-token_abc"
PDF = b"%PDF-1.4 laporan UMKM"

# ---------------------------------------------------------------------------------------------
# A tiny echo bot
# ---------------------------------------------------------------------------------------------


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    text = update.effective_message.text
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Lagi", callback_data=f"again:{text[:20]}")],
            [InlineKeyboardButton("Web", url="https://example.com")],
        ]
    )
    await update.effective_message.reply_text(text, reply_markup=keyboard)


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    args = " ".join(context.args or [])
    await update.effective_message.reply_text(f"<b>Halo</b> {args}", parse_mode=ParseMode.HTML)


async def _doc(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_document(PDF, filename="laporan.pdf", caption="Laporan")


async def _boom(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    raise RuntimeError("boom")


async def _button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer("Oke")
    await query.edit_message_text(f"Ditekan: {query.data}")


async def _guard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text("dihentikan")
    raise ApplicationHandlerStop


async def _slow(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await context.bot.send_chat_action(update.effective_chat.id, "typing")
    await context.bot_data["gate"].wait()
    await update.effective_message.reply_text("selesai")


async def _media(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    msg = update.effective_message
    if msg.document:
        data = await (await msg.document.get_file()).download_as_bytearray()
        answer = f"dokumen {msg.document.file_name} {len(data)}"
    elif msg.contact:
        own = msg.contact.user_id == update.effective_user.id
        answer = f"kontak {'sendiri' if own else 'lain'} {msg.contact.phone_number}"
    elif msg.location:
        answer = f"lokasi {msg.location.latitude} {msg.location.longitude}"
    else:
        kind = next(k for k in ("photo", "sticker", "voice", "video") if getattr(msg, k))
        answer = f"media {kind}"
    await msg.reply_text(answer)


async def _edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_chat.send_message(f"diedit: {update.edited_message.text}")


async def _group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(f"grup {update.effective_chat.type}")


async def _member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    context.bot_data.setdefault("members", []).append(update.my_chat_member.new_chat_member.status)


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    context.bot_data.setdefault("errors", []).append(context.error)
    if isinstance(update, Update) and update.effective_chat:
        await context.bot.send_message(update.effective_chat.id, "maaf, terjadi kesalahan")


def build_app(
    fake: FakeBotAPI, concurrent: bool = False
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The echo bot, wired to the fake."""
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(f"{fake.url}/bot")
        .base_file_url(f"{fake.url}/file/bot")
        .concurrent_updates(concurrent)
        .build()
    )
    app.bot_data["gate"] = asyncio.Event()
    app.add_handler(MessageHandler(filters.Regex(r"^diam$"), _guard), group=-1)
    app.add_handler(CommandHandler("start", _start))
    app.add_handler(CommandHandler("doc", _doc))
    app.add_handler(CommandHandler("boom", _boom))
    app.add_handler(CommandHandler("slow", _slow, block=False))
    app.add_handler(MessageHandler(filters.ChatType.GROUPS & filters.TEXT, _group))
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, _edited))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
    media = (
        filters.PHOTO
        | filters.Sticker.ALL
        | filters.VOICE
        | filters.VIDEO
        | filters.LOCATION
        | filters.CONTACT
        | filters.Document.ALL
    )
    app.add_handler(MessageHandler(media, _media))
    app.add_handler(CallbackQueryHandler(_button))
    app.add_handler(ChatMemberHandler(_member, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_error_handler(_on_error)
    fake.track(app)
    return app


# ---------------------------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------------------------


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    """A started fake that checks the token."""
    async with FakeBotAPI(token_check=TOKEN) as server:
        yield server


async def _run(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=1)


async def _shutdown(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    await app.updater.stop()
    await app.stop()
    await app.shutdown()


@pytest.fixture
async def app(fake: FakeBotAPI) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """The echo bot, long polling the fake."""
    application = build_app(fake)
    await _run(application)
    try:
        yield application
    finally:
        await _shutdown(application)


def make_bot(fake: FakeBotAPI, token: str = TOKEN) -> Bot:
    """A plain Bot talking to the fake (for fault tests without polling)."""
    return Bot(token, base_url=f"{fake.url}/bot", base_file_url=f"{fake.url}/file/bot")


@pytest.fixture
async def bot(fake: FakeBotAPI) -> AsyncIterator[Bot]:
    """An initialized plain Bot."""
    async with make_bot(fake) as b:
        yield b


def seconds(exc: RetryAfter) -> float:
    """RetryAfter.retry_after in seconds, whatever PTB_TIMEDELTA says."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


def only(reqs: list[Request], method: str) -> Request:
    """The single request of ``method`` in ``reqs``."""
    found = [r for r in reqs if r.method == method]
    assert len(found) == 1, reqs
    return found[0]


# ---------------------------------------------------------------------------------------------
# The bot round trip
# ---------------------------------------------------------------------------------------------


async def test_echo_round_trip(fake: FakeBotAPI, app: Application) -> None:
    budi = fake.user(4201, "Budi")
    reqs = await budi.say("Halo UMKM")
    sent = only(reqs, "sendMessage")
    assert sent.chat_id == 4201
    assert sent.text == "Halo UMKM"
    assert sent.status == 200
    assert sent.buttons == [[("Lagi", "again:Halo UMKM")], [("Web", "https://example.com")]]
    assert sent.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == (
        "again:Halo UMKM"
    )
    assert sent.result["message_id"] == 2  # the user's message was 1 in this chat
    assert sent.result["reply_markup"] == sent.params["reply_markup"]
    assert fake.calls("getme") and fake.calls("GETUPDATES")
    assert fake.calls("sendMessage", chat_id=4201) == [sent]
    assert fake.delivered[4201] == 1
    assert app.bot.username == "umkm_test_bot"


async def test_command_and_parse_mode(fake: FakeBotAPI, app: Application) -> None:
    reqs = await fake.user(4202).cmd("/start abc")
    sent = only(reqs, "sendMessage")
    assert sent.text == "<b>Halo</b> abc"
    assert sent.parse_mode == "HTML"


async def test_callback_query_and_edit(fake: FakeBotAPI, app: Application) -> None:
    siti = fake.user(4203, "Siti")
    first = only(await siti.say("satu"), "sendMessage")
    await siti.say("dua")
    reqs = await siti.tap("again:dua")
    answer = only(reqs, "answerCallbackQuery")
    assert answer.chat_id == 4203
    assert answer.text == "Oke"
    edit = only(reqs, "editMessageText")
    assert edit.text == "Ditekan: again:dua"
    assert edit.result["edit_date"] >= edit.result["date"]
    # The newest keyboard lost its buttons; pressing goes to the older message now.
    with pytest.raises(ValueError, match="no button"):
        siti.press("again:dua")
    reqs = await siti.tap("again:satu")
    assert only(reqs, "editMessageText").params["message_id"] == first.result["message_id"]
    with pytest.raises(LookupError, match="no message with an inline keyboard"):
        siti.press("again:satu")
    with pytest.raises(ValueError, match="no button"):  # its keyboard is gone
        siti.press("again:satu", message_id=first.result["message_id"])
    forced = siti.press("again:satu", message_id=first.result["message_id"], check=False)
    assert only(await fake.process(forced), "answerCallbackQuery").chat_id == 4203


async def test_document_upload(fake: FakeBotAPI, app: Application) -> None:
    reqs = await fake.user(4204).cmd("doc")
    sent = only(reqs, "sendDocument")
    document = sent.params["document"]
    assert isinstance(document, UploadedFile)
    assert document == PDF
    assert document.filename == "laporan.pdf"
    assert sent.text == "Laporan"
    assert sent.result["document"]["file_name"] == "laporan.pdf"


async def test_every_update_kind_is_accepted(fake: FakeBotAPI, app: Application) -> None:
    u = fake.user(4205, "Rina", username="rina")
    cases: list[tuple[Callable[[], int], str]] = [
        (u.photo, "media photo"),
        (u.sticker, "media sticker"),
        (u.voice, "media voice"),
        (u.video, "media video"),
        (lambda: u.location(-6.888, 109.675), "lokasi -6.888 109.675"),
        (lambda: u.contact("+628123"), "kontak sendiri +628123"),
        (lambda: u.contact("+628999", own=False), "kontak lain +628999"),
        (lambda: u.document("proposal.pdf", content=b"12345"), "dokumen proposal.pdf 5"),
        (lambda: u.edited("koreksi"), "diedit: koreksi"),
        (lambda: u.group_text("halo grup"), "grup supergroup"),
    ]
    for push, text in cases:
        reqs = await fake.process(push())
        assert only(reqs, "sendMessage").text == text
    assert only(reqs, "sendMessage").chat_id == -100123
    assert fake.calls("getFile")


async def test_my_chat_member_blocks_the_bot(fake: FakeBotAPI, app: Application) -> None:
    u = fake.user(4206)
    assert await fake.process(u.my_chat_member("kicked")) == []
    assert app.bot_data["members"] == ["kicked"]
    with pytest.raises(Forbidden, match=r"(?i)blocked"):
        await app.bot.send_message(4206, "promo")
    await fake.process(u.my_chat_member("member"))
    await app.bot.send_message(4206, "selamat datang kembali")
    assert fake.stats["403"] == 1


# ---------------------------------------------------------------------------------------------
# process() in the hard cases
# ---------------------------------------------------------------------------------------------


async def test_process_after_handler_raises(fake: FakeBotAPI, app: Application) -> None:
    reqs = await fake.user(4207).cmd("/boom")
    assert only(reqs, "sendMessage").text == "maaf, terjadi kesalahan"
    assert [type(e) for e in app.bot_data["errors"]] == [RuntimeError]


async def test_process_after_application_handler_stop(fake: FakeBotAPI, app: Application) -> None:
    reqs = await fake.user(4208).say("diam")
    assert [r.text for r in reqs] == ["dihentikan"]


async def test_process_waits_for_non_blocking_handler(fake: FakeBotAPI, app: Application) -> None:
    update_id = fake.user(4209).command("/slow")
    waiting = asyncio.create_task(fake.process(update_id))
    await fake.wait_for(lambda r: r.method == "sendChatAction" and r.chat_id == 4209)
    assert not waiting.done()
    app.bot_data["gate"].set()
    reqs = await waiting
    assert [r.method for r in reqs] == ["sendChatAction", "sendMessage"]
    assert reqs[-1].text == "selesai"


async def test_process_with_concurrent_updates(fake: FakeBotAPI) -> None:
    application = build_app(fake, concurrent=True)
    await _run(application)
    try:
        users = [fake.user(4300 + i) for i in range(5)]
        ids = [u.text(f"pesan {i}") for i, u in enumerate(users)]
        results = await asyncio.gather(*(fake.process(i) for i in ids))
        for i, reqs in enumerate(results):
            assert any(r.text == f"pesan {i}" and r.chat_id == 4300 + i for r in reqs)
    finally:
        await _shutdown(application)


async def test_process_timeout_is_readable(fake: FakeBotAPI, app: Application) -> None:
    with pytest.raises(TimeoutError, match="update 999 not processed"):
        await fake.process(999, timeout=0.05)


async def test_process_requires_track() -> None:
    async with FakeBotAPI() as server:
        with pytest.raises(RuntimeError, match="track"):
            await server.process(server.user(1).text("x"))


# ---------------------------------------------------------------------------------------------
# Faults
# ---------------------------------------------------------------------------------------------


async def test_fault_429(fake: FakeBotAPI, bot: Bot) -> None:
    fake.fail("sendMessage", kind="429", retry_after=7)
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(1, "x")
    assert seconds(info.value) == 7
    assert fake.calls("sendMessage")[-1].status == 429
    await bot.send_message(1, "x")  # only one failure was requested
    assert fake.delivered[1] == 1
    assert fake.stats["429"] == 1


async def test_fault_403_400_500(fake: FakeBotAPI, bot: Bot) -> None:
    fake.fail("sendmessage", kind="403")
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(1, "x")
    fake.fail("sendMessage", kind="400")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(1, "x")
    fake.fail("sendMessage", kind="500")
    with pytest.raises(NetworkError, match="Internal Server Error") as info:
        await bot.send_message(1, "x")
    assert not isinstance(info.value, BadRequest | TimedOut)
    assert fake.delivered[1] == 0


async def test_fault_targets_chat_and_times(fake: FakeBotAPI, bot: Bot) -> None:
    fake.fail("sendMessage", chat_id=2, kind="403", times=2)
    await bot.send_message(1, "x")
    for _ in range(2):
        with pytest.raises(Forbidden):
            await bot.send_message(2, "x")
    await bot.send_message(2, "x")
    assert fake.delivered == {1: 1, 2: 1}
    with pytest.raises(ValueError, match="unknown fault kind"):
        fake.fail("sendMessage", kind="418")


async def test_fault_timeout(fake: FakeBotAPI, bot: Bot) -> None:
    fake.fail("sendMessage", kind="timeout")
    started = time.monotonic()
    with pytest.raises(TimedOut):
        await bot.send_message(1, "lambat", read_timeout=0.2)
    assert time.monotonic() - started < 2
    held = fake.calls("sendMessage")[-1]
    assert held.held and held.status == 200
    # Like Telegram, the message was delivered although the client never heard back.
    assert fake.delivered[1] == 1
    await bot.send_message(1, "lagi")
    assert fake.delivered[1] == 2


async def test_stop_releases_held_requests_and_long_polls() -> None:
    server = FakeBotAPI(hold_seconds=60, getupdates_timeout_cap=60)
    await server.start()
    async with make_bot(server) as b:
        server.fail("getMe", kind="timeout")
        held = asyncio.create_task(b.get_me(read_timeout=30))
        poll = asyncio.create_task(b.get_updates(timeout=30, read_timeout=40))
        await server.wait_for(lambda r: r.method == "getMe")
        await server.wait_polling()
        started = time.monotonic()
        await server.stop()
        assert time.monotonic() - started < 2
        done, _ = await asyncio.wait({held, poll}, timeout=2)
        assert done == {held, poll}
        assert held.result().username == "umkm_test_bot"  # answered when released
        assert poll.result() == ()


async def test_blocked_chats(fake: FakeBotAPI, bot: Bot) -> None:
    fake.blocked.add(5)
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(5, "x")
    with pytest.raises(Forbidden):
        await bot.send_document(5, PDF, filename="a.pdf")
    await bot.send_message(6, "x")
    assert fake.delivered == {6: 1}


# ---------------------------------------------------------------------------------------------
# Rate limits
# ---------------------------------------------------------------------------------------------


class Clock:
    """A manual clock for the fake's limiter."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_global_rate_limit_sliding_window() -> None:
    clock = Clock()
    async with FakeBotAPI(rate_limit=3, clock=clock) as server, make_bot(server) as b:
        for chat in (1, 2, 3):
            await b.send_message(chat, "x")
            clock.now += 0.25
        with pytest.raises(RetryAfter) as info:
            await b.send_message(4, "x")
        assert seconds(info.value) == 1
        clock.now += 0.3  # the first send (at 1000.0) has left the window at 1000.8
        await b.send_message(4, "x")
        with pytest.raises(RetryAfter):
            await b.send_message(5, "x")
        await b.send_chat_action(5, "typing")  # not a message: never limited
        assert server.stats["429"] == 2
        assert sum(server.delivered.values()) == 4


async def test_per_chat_rate_limit() -> None:
    clock = Clock()
    async with FakeBotAPI(per_chat_limit=0.5, clock=clock) as server, make_bot(server) as b:
        await b.send_message(1, "x")
        with pytest.raises(RetryAfter) as info:
            await b.send_message(1, "x")
        assert seconds(info.value) == 2  # one message per two seconds
        await b.send_message(2, "x")
        clock.now += 1.5
        with pytest.raises(RetryAfter) as info:
            await b.send_message(1, "x")
        assert seconds(info.value) == 1
        clock.now += 0.5
        await b.send_message(1, "x")
        assert server.delivered == {1: 2, 2: 1}
        assert server.stats["429"] == 2


async def test_rate_limit_with_real_clock() -> None:
    async with FakeBotAPI(rate_limit=5) as server, make_bot(server) as b:
        results = await asyncio.gather(
            *(b.send_message(i, "x") for i in range(20)), return_exceptions=True
        )
        limited = [r for r in results if isinstance(r, RetryAfter)]
        assert all(isinstance(r, Message | RetryAfter) for r in results)
        assert limited and server.stats["429"] == len(limited)
        assert sum(server.delivered.values()) == 20 - len(limited) >= 5


# ---------------------------------------------------------------------------------------------
# Protocol details
# ---------------------------------------------------------------------------------------------


async def test_unknown_method_and_wrong_token(fake: FakeBotAPI, bot: Bot) -> None:
    with pytest.raises(EndPointNotFound, match="noSuchMethod"):  # PTB's name for that 404
        await bot.do_api_request("noSuchMethod")
    with pytest.raises(InvalidToken, match="rejected by the server"):
        async with make_bot(fake, "999:wrong"):  # initialize() calls getMe
            pass
    async with httpx.AsyncClient(base_url=fake.url) as client:
        res = await client.post(f"/bot{TOKEN}/noSuchMethod")
        assert res.status_code == 404
        assert res.json() == {
            "ok": False,
            "error_code": 404,
            "description": "Not Found: method not found",
        }
        res = await client.get("/elsewhere")
        assert res.status_code == 404 and res.json()["ok"] is False
        res = await client.get(f"/bot{TOKEN[:-1]}/getMe")
        assert res.status_code == 401 and res.json()["error_code"] == 401


async def test_json_body_and_method_case(fake: FakeBotAPI) -> None:
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    async with httpx.AsyncClient(base_url=fake.url) as client:
        res = await client.post(
            f"/bot{TOKEN}/SENDMESSAGE",
            json={"chat_id": "77", "text": "123", "reply_markup": json.dumps(markup)},
        )
        assert res.status_code == 200 and res.json()["result"]["text"] == "123"
        res = await client.get(f"/bot{TOKEN}/getme")
        assert res.json()["result"]["username"] == "umkm_test_bot"
    sent = fake.calls("sendMessage")[0]
    assert sent.method == "sendMessage"
    assert sent.chat_id == 77
    assert sent.params["reply_markup"] == markup
    assert sent.text == "123"
    assert fake.calls("getMe")[0].method == "getMe"


@pytest.mark.parametrize(
    "text", ["123", "true", "null", '{"a": 1}', "[1, 2]", "-5", "émoji 🎉 <b>x</b>", " spasi "]
)
async def test_text_is_never_json_decoded(fake: FakeBotAPI, bot: Bot, text: str) -> None:
    message = await bot.send_message(1, text)
    assert fake.calls("sendMessage")[-1].text == text
    assert message.text == text


async def test_send_results_parse_in_ptb(fake: FakeBotAPI, bot: Bot) -> None:
    photo = await bot.send_photo(3, b"\xff\xd8jpeg", caption="Foto produk")
    assert photo.photo[-1].width == 800 and photo.caption == "Foto produk"
    assert fake.calls("sendPhoto")[0].params["photo"] == b"\xff\xd8jpeg"
    album = await bot.send_media_group(
        3, [InputMediaPhoto(b"1", caption="a"), InputMediaPhoto(b"2")]
    )
    assert len(album) == 2 and album[0].media_group_id == album[1].media_group_id
    media = fake.calls("sendMediaGroup")[0].params["media"]
    assert [bytes(m["media"]) for m in media] == [b"1", b"2"]
    copied = await bot.copy_message(4, from_chat_id=3, message_id=photo.message_id)
    assert isinstance(copied, MessageId)
    reply = await bot.send_message(
        3, "pilih", reply_markup=ReplyKeyboardMarkup([["Ya", "Tidak"]], one_time_keyboard=True)
    )
    assert reply.reply_markup is None  # Telegram echoes inline keyboards only
    assert fake.calls("sendMessage")[-1].reply_keyboard == [["Ya", "Tidak"]]
    assert await bot.set_my_commands([("start", "Mulai")])
    assert [c.command for c in await bot.get_my_commands()] == ["start"]
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    info = await bot.get_webhook_info()
    assert info.url == "" and info.pending_update_count == 0
    assert await bot.set_chat_menu_button()
    assert await bot.send_chat_action(3, "typing")


async def test_telegram_validation_errors(fake: FakeBotAPI, bot: Bot) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
    msg = await bot.send_message(1, "teks", reply_markup=keyboard)
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("teks", 1, msg.message_id, reply_markup=keyboard)
    edited = await bot.edit_message_reply_markup(1, msg.message_id)
    assert isinstance(edited, Message) and edited.reply_markup is None
    assert fake.last_keyboard_message(1) is None
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("baru", 1, 999)
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="x" * 65)]])
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(1, "teks", reply_markup=too_long)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(1, "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)text is empty"):
        await bot.send_message(1, "  ")
    assert fake.delivered[1] == 1


async def test_get_updates_semantics() -> None:
    async with FakeBotAPI(getupdates_timeout_cap=2) as server, make_bot(server) as b:
        ids = [server.user(1).text(f"m{i}") for i in range(3)]
        first = await b.get_updates(limit=2)
        assert [u.update_id for u in first] == ids[:2]
        assert first[0].message.text == "m0"
        again = await b.get_updates(offset=ids[1])
        assert [u.update_id for u in again] == ids[1:]
        assert server.pending_updates == 2
        assert [u.update_id for u in await b.get_updates(offset=-1)] == ids[2:]
        assert await b.get_updates(offset=ids[2] + 1) == ()
        started = time.monotonic()
        assert await b.get_updates(timeout=0.3) == ()  # honours a timeout below the cap
        assert 0.25 < time.monotonic() - started < 1.5
        poll = asyncio.create_task(b.get_updates(timeout=30))
        await server.wait_polling()
        update_id = server.push(
            {"message": {"message_id": 9, "date": 1, "chat": {"id": 1, "type": "private"}}}
        )
        woken = await asyncio.wait_for(poll, 0.5)  # much sooner than the 2 s cap
        assert [u.update_id for u in woken] == [update_id]
        server.user(2).text("lama")
        assert await b.delete_webhook(drop_pending_updates=True)
        assert server.pending_updates == 0


async def test_get_updates_timeout_is_capped() -> None:
    async with FakeBotAPI(getupdates_timeout_cap=0.2) as server, make_bot(server) as b:
        started = time.monotonic()
        assert await b.get_updates(timeout=30) == ()
        assert time.monotonic() - started < 1.5


async def test_wait_for(fake: FakeBotAPI, bot: Bot) -> None:
    await bot.send_message(1, "sudah")
    assert (await fake.wait_for(lambda r: r.text == "sudah")).chat_id == 1
    later = asyncio.create_task(fake.wait_for(lambda r: r.text == "nanti", timeout=2))
    await bot.send_message(2, "nanti")
    assert (await later).chat_id == 2
    with pytest.raises(TimeoutError, match=r"(?s)no matching request.*sendMessage chat=2"):
        await fake.wait_for(lambda r: r.text == "tidak pernah", timeout=0.05)


async def test_clear_and_process_window(fake: FakeBotAPI, app: Application) -> None:
    u = fake.user(4210)
    await u.say("a")
    fake.clear()
    assert fake.requests == [] and fake.calls("sendMessage") == []
    reqs = await u.say("b")
    assert [r.text for r in reqs] == ["b"]
    assert [r.text for r in fake.calls("sendMessage")] == ["b"]
    assert fake.delivered[4210] == 2


async def test_record_false_keeps_counters_only() -> None:
    async with FakeBotAPI(record=False) as server, make_bot(server) as b:
        for _ in range(3):
            await b.send_message(1, "x")
        assert server.requests == []
        assert server.delivered[1] == 3
        assert server.stats["200"] == 4  # getMe + 3 sends


def test_request_properties() -> None:
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}, {"text": "B", "url": "u"}]]}
    req = Request("sendPhoto", {"caption": "c", "reply_markup": markup}, 1, 0.0, 200)
    assert req.text == "c" and req.buttons == [[("A", "a"), ("B", "u")]] and req.parse_mode is None
    assert Request("sendMessage", {}, None, 0.0, 200).buttons == []
    assert "sendPhoto chat=1 200 text='c'" in req.describe()
