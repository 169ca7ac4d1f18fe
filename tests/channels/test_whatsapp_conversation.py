"""End to end on WhatsApp: signed webhooks from the fake Graph API reach the bot's real web
server; pywa sends the answers back to the fake, which refuses anything Meta would refuse."""

from __future__ import annotations

import io
import logging
from datetime import UTC, datetime

import pytest

from bot.logs import setup_logging
from handlers.telegram import TelegramChannel
from tests.support.fakebotapi import FakeBotAPI
from tests.support.fakegraph import FakeGraph, FakeUser
from tests.support.owner import button
from tests.support.wabot import running_whatsapp, whatsapp_config

pytestmark = pytest.mark.filterwarnings(
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")
SESSION = ('[[sessions]]\nkey = "2027-10"\ntitle = "Pelatihan Ekspor Oktober 2027"\n'
           'starts_at = "2027-10-06 09:00"\nplace = "Aula Dindagkop-UKM"\ncapacity = 30\n')
WA_ID = "6281234567001"
# Typed: name, business name, NIB and capacity; every other answer is a tap. The KTP's
# kecamatan comes first, chosen in one tap; the NIB is typed in its question.
ELIGIBLE = [
    ("tap", "ans:ktp_city:yes:barat"), ("say", "Budi Santoso"), ("say", "Batik Sekar"),
    ("tap", "ans:product_type:batik"), ("say", "1234567890123"), ("tap", "ans:own_production:own"),
    ("tap", "tick:quality:sni"), ("tap", "tick:quality:halal"), ("tap", "done:quality"),
    ("say", "500 potong"), ("tap", "ans:steady:steady"), ("tap", "ans:packaging:export"),
    ("tap", "ans:export_experience:none"),
]


def clock() -> datetime:
    """Early September 2027, before the October session."""
    return datetime(2027, 9, 1, 2, 0, tzinfo=UTC)


async def run(user: FakeUser, steps) -> None:
    """Say or tap, step by step."""
    for action, value in steps:
        if action == "say":
            await user.say(value)
        else:
            await user.press(value)


def assert_within_meta_limits(graph: FakeGraph) -> None:
    """Nothing the bot sent was refused, and every message fits a phone's screen."""
    assert graph.refused == []
    for sent in graph.sent:
        assert len(sent.body) <= (4096 if sent.kind == "text" else 1024)


async def test_an_owner_goes_from_halo_to_a_seat_and_erases_their_data_in_indonesian(tmp_path):
    async with FakeGraph() as graph:
        config = whatsapp_config(tmp_path, graph, SESSION + '[logging]\nlevel = "DEBUG"\n')
        log_out = io.StringIO()
        root = logging.getLogger()
        saved = (root.handlers[:], root.level)
        setup_logging(config, stream=log_out)
        try:
            async with running_whatsapp(graph, config, clock=clock) as bot:
                budi = graph.user(WA_ID, name="Budi Santoso")
                (welcome,) = await budi.say("halo")
                assert welcome.kind == "buttons"
                assert "tanpa NIK" in welcome.body and "Setuju?" in welcome.body
                assert [c.id for c in welcome.choices] == ["consent:yes", "consent:notice",
                                                           "consent:no"]
                (question,) = await budi.press("consent:yes")  # the welcome is not repeated
                assert "_1/12_ · *Alamat KTP Anda di kecamatan mana?*" in question.body
                await run(budi, ELIGIBLE)
                # Three options are three reply buttons: one tap, no list to open first.
                product = next(s for s in graph.sent if "_4/12_" in s.body)
                assert product.kind == "buttons"
                assert [c.title for c in product.choices] == ["Batik", "Olahan ikan", "Lainnya"]
                # The phone question is answered by WhatsApp's number: straight to the summary.
                summary = budi.last[-1]
                assert f"+{WA_ID}" in summary.body and "Batik Sekar" in summary.body
                assert [c.id for c in summary.choices] == ["summary:submit", "summary:edit"]
                await budi.press("summary:submit")
                assert "Selamat, Budi Santoso!" in budi.text()
                await budi.press("menu:jadwal")
                assert "Pelatihan Ekspor Oktober 2027" in budi.text()
                assert "Rabu, 6 Oktober 2027" in budi.text()
                await budi.press("signup:join")
                assert "terdaftar!" in budi.text()
                owner = await bot.core.db.owners.find("whatsapp", budi.user_id)
                assert owner is not None and owner.eligible
                address = await bot.core.db.one("SELECT address FROM owners WHERE id = ?",
                                                (owner.id,))
                assert address[0] == WA_ID  # wa_id kept beside the business-scoped id
                await budi.say("/datasaya")
                assert "terdaftar" in budi.text()
                await budi.press("mydata:answers")
                assert "Budi Santoso" in budi.text()
                await budi.say("/hapusdata")
                await budi.press("mydata:yes")
                assert "dihapus" in budi.text()
                assert await bot.core.db.owners.find("whatsapp", budi.user_id) is None
                assert await bot.channel.dispatcher.wait_idle(10)
                pending = await bot.core.db.all("SELECT payload FROM inbox")
                assert all(row[0] is None for row in pending)  # what owners wrote is gone
                assert_within_meta_limits(graph)
                # Every message sent went to the business-scoped id, and each was read.
                assert {s.to for s in graph.sent} == {budi.user_id}
        finally:
            root.handlers[:], _ = saved
            root.setLevel(saved[1])
    logged = log_out.getvalue()
    assert "erased their data" in logged  # the log was written at all
    assert WA_ID not in logged and "Budi Santoso" not in logged and "Batik Sekar" not in logged


async def test_an_owner_does_everything_in_english(tmp_path):
    async with FakeGraph() as graph:
        config = whatsapp_config(tmp_path, graph, SESSION)
        async with running_whatsapp(graph, config, clock=clock) as bot:
            ann = graph.user("6285700900123", name="Ann")
            await ann.say("Hello")
            await ann.say("/language")
            await ann.press("lang:en")
            assert "I will write in English from now on." in ann.text()
            await ann.press("consent:yes")
            assert "_1/12_ · *In which kecamatan" in ann.text()
            await run(ann, ELIGIBLE)
            assert "Please check your answers" in ann.text() and "+6285700900123" in ann.text()
            await ann.press("summary:submit")
            assert "Good news, Budi Santoso!" in ann.text()
            await ann.say("/schedule")
            assert "Wednesday, 6 October 2027" in ann.text()
            await ann.press("signup:join")
            assert "You are registered!" in ann.text()
            await ann.say("/mydata")
            await ann.press("mydata:answers")
            assert "Batik Sekar" in ann.text()
            await ann.say("/deletedata")
            await ann.press("mydata:yes")
            assert "All your data has been deleted" in ann.text()
            assert await bot.core.db.owners.find("whatsapp", ann.user_id) is None
            assert_within_meta_limits(graph)


async def test_a_telegram_owner_and_a_whatsapp_owner_interleaved_on_one_database(tmp_path):
    async with FakeGraph() as graph, FakeBotAPI() as bot_api:
        config = whatsapp_config(tmp_path, graph, env={
            "BOT_TOKEN": "123456:TEST-token_abc", "TELEGRAM_API_BASE_URL": bot_api.url})

        def telegram(config, core, web):
            channel = TelegramChannel(config, core, poll_timeout=1, poll_interval=0, web=web)
            bot_api.track(channel.application)
            return channel

        async with running_whatsapp(graph, config, clock=clock, also=telegram) as bot:
            wa = graph.user(WA_ID)
            tg = bot_api.user(5001, language_code="id")
            history = await tg.cmd("/start")
            await wa.say("halo")
            history += await tg.tap(button(history, "setuju"))
            await wa.press("consent:yes")
            for action, value in ELIGIBLE:
                if action == "say":
                    await wa.say(value)
                    history += await tg.say(value)
                else:
                    await wa.press(value)
                    history += await tg.tap(value)
            history += await tg.say("0812 3456 7002")
            await wa.press("summary:submit")
            history += await tg.tap("summary:submit")
            assert "Selamat" in wa.text()
            assert any("Selamat" in (r.text or "") for r in history)
            rows = await bot.core.db.all(
                "SELECT channel, eligible FROM owners ORDER BY channel")
            assert [tuple(r) for r in rows] == [("telegram", 1), ("whatsapp", 1)]
            assert_within_meta_limits(graph)
