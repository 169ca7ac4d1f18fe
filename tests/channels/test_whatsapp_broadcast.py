"""Announcements to a mixed audience, end to end: Telegram (the real Application against the fake
Bot API) and WhatsApp (pywa against the fake Graph API) in one process on one core. Each owner
gets it on their own channel, in that channel's markup, with the photo uploaded once per channel;
WhatsApp owners outside the 24-hour window get the announcement template carrying the photo; the
preview counts per channel and outside the window; WhatsApp's daily limit stops the sending,
which the progress says, and it carries on by itself when the next day's allowance opens, after
a restart too."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.actions import Actor, announcements
from bot.actions.announcements import Draft
from bot.config import PROJECT_DIR
from bot.storage.broadcasts import Audience
from bot.storage.outbox import WAITING_DAILY_LIMIT
from handlers.telegram import TelegramChannel
from tests.support.clock import Clock
from tests.support.config import STAFF_ID
from tests.support.fakebotapi import FakeBotAPI
from tests.support.fakegraph import FakeGraph
from tests.support.harness import TOKEN
from tests.support.owner import Owner
from tests.support.population import add_owners
from tests.support.sending import eventually, settled
from tests.support.wabot import Running, approve, running_whatsapp, whatsapp_config, wrote

pytestmark = pytest.mark.filterwarnings(
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")
POSTER = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
STAFF = Actor("telegram", str(STAFF_ID), "")
TG_FIRST, WA_FIRST = 10_000, 6281500000001


@asynccontextmanager
async def mixed(tmp_path: Path, graph: FakeGraph, bot_api: FakeBotAPI, clock: Clock,
                extra: str = "") -> AsyncIterator[Running]:
    """The bot on Telegram and WhatsApp at once (one core, one database)."""
    config = whatsapp_config(tmp_path, graph, extra, env={
        "BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": bot_api.url})
    approve(graph, config)

    def telegram(config: Any, core: Any, web: Any) -> TelegramChannel:
        channel = TelegramChannel(config, core, poll_timeout=1, poll_interval=0, web=web)
        bot_api.track(channel.application)
        return channel

    async with running_whatsapp(graph, config, clock=clock, also=telegram) as bot:
        yield bot


async def whatsapp_owners(graph: FakeGraph, bot: Running, inside: int, outside: int,
                          first: int = WA_FIRST) -> tuple[list[str], list[str]]:
    """WhatsApp owners: `inside` wrote an hour ago, `outside` a month ago."""
    db, now = bot.core.db, bot.core.clock()
    await add_owners(db, inside + outside, first_id=first, channel="whatsapp", eligible=True)
    chats = [str(first + n) for n in range(inside + outside)]
    for number, chat in enumerate(chats):
        ago = timedelta(hours=1) if number < inside else timedelta(days=30)
        await wrote(db, chat, now - ago)
        graph.limits.last_inbound[chat] = now - ago
    return chats[:inside], chats[inside:]


async def test_a_mixed_broadcast_goes_out_per_channel_and_reports_per_channel(tmp_path):
    clock = Clock()
    async with FakeGraph(clock=clock, statuses=True) as graph, FakeBotAPI() as bot_api, \
            mixed(tmp_path, graph, bot_api, clock) as bot:
        core = bot.core
        await add_owners(core.db, 3, first_id=TG_FIRST, eligible=True)
        inside, outside = await whatsapp_owners(graph, bot, 2, 2)
        graph.readers.add(inside[0])
        # The preview counts per channel, and the WhatsApp owners outside the window.
        staff = Owner(core, user_id=str(STAFF_ID), language_code="en")
        await staff.say("/announce")
        await staff.say("Pelatihan ekspor dibuka!")
        await staff.press("bc:a:all")
        preview = staff.text()
        assert "It will go to 7 owners." in preview
        assert "Telegram: 3 · WhatsApp: 4" in preview
        assert "2 WhatsApp owners have not written in the last 24 hours: they get the " \
               "approved announcement template instead." in preview
        assert "daily" not in preview  # 2 is well within the day's 225
        await staff.press("bc:drop")
        # Sent from the web page with an uploaded photo: each channel uploads it once.
        media = await core.db.media.add("poster.png", "photo", "image/png", POSTER, clock())
        done = await announcements.send_now(
            core, STAFF, clock(), Draft("<b>Pelatihan ekspor</b> dibuka!", Audience("all"),
                                        media_id=media.id), language="en")
        assert done.count == 7
        await graph.wait_for(lambda: len(graph.sent) == 4)
        await settled(core.db, "broadcast", timeout=10)
        photos = [r for r in bot_api.requests if r.method == "sendPhoto"]
        assert sorted(r.chat_id for r in photos) == [TG_FIRST, TG_FIRST + 1, TG_FIRST + 2]
        assert all("<b>Pelatihan ekspor</b> dibuka!" in (r.text or "") for r in photos)
        free = {s.to: s for s in graph.sent if s.kind == "image"}
        template = {s.to: s for s in graph.sent if s.kind == "template"}
        assert set(free) == set(inside) and set(template) == set(outside)
        assert all("*Pelatihan ekspor* dibuka!" in s.body for s in free.values())
        for sent in template.values():
            assert sent.template == "umkm_pengumuman_foto" and sent.language == "id"
            assert "Pengumuman dari Dindagkop-UKM Kota Pekalongan:\n\n*Pelatihan ekspor* " \
                   "dibuka!" in sent.body
            assert [c.id for c in sent.choices] == [f"readall:{done.broadcast.id}", "nonews"]
        uploads = [r for r in graph.requests if r.method == "POST" and r.path.endswith("/media")]
        assert len(uploads) == 1  # WhatsApp's one upload, for the images and the templates
        assert {s.media_id for s in graph.sent} == {await core.db.media.ref(media.id,
                                                                           "whatsapp")}
        assert await core.db.media.ref(media.id, "telegram")  # Telegram's own id of it
        # "Read it all" under a template: the whole announcement, inside the window now.
        reader = graph.user(outside[0], user_id=outside[0])
        await reader.deliver(reader.message("button", {"payload": f"readall:{done.broadcast.id}",
                                                       "text": "Baca selengkapnya"}))
        assert "Pelatihan ekspor* dibuka!" in reader.text()
        # Status webhooks come in: the report says delivered and read for WhatsApp.

        async def counted() -> bool:
            found = await core.db.outbox.deliveries("broadcast", "1")
            return found.get("whatsapp", {}).get("read") == 1 and \
                found["whatsapp"]["delivered"] == 4
        await eventually(counted, what="every WhatsApp status noted")
        await staff.say("/announcements")
        assert "7 sent" in staff.text() and "WhatsApp: delivered 4, read 1" in staff.text()
        assert graph.refused == [] and graph.failed == []


async def test_the_daily_limit_stops_sending_and_it_resumes_the_next_day_after_a_restart(
        tmp_path):
    clock = Clock()
    extra = "[whatsapp]\ndaily_limit = 4\ndaily_reserve = 1\n[broadcast]\nprogress_every_s = 0.5\n"
    async with FakeGraph(clock=clock, daily_limit=4) as graph, FakeBotAPI() as bot_api:
        async with mixed(tmp_path, graph, bot_api, clock, extra) as bot:
            core = bot.core
            _inside, outside = await whatsapp_owners(graph, bot, 0, 5)
            staff = Owner(core, user_id=str(STAFF_ID), language_code="en")
            await staff.say("/announce")
            await staff.say("Pelatihan ekspor dibuka!")
            await staff.press("bc:a:all")
            assert "5 WhatsApp owners have not written" in staff.text()
            assert "⚠️ WhatsApp lets us reach 3 people a day outside the 24-hour window, so " \
                   "this takes about 2 days to reach them all." in staff.text()
            await staff.press("bc:now")  # the progress goes to the staff member on Telegram

            async def stopped() -> bool:
                waiting = await core.db.outbox.waiting("broadcast", "1")
                return waiting.get(WAITING_DAILY_LIMIT, (0, None))[0] == 2
            await eventually(stopped, what="two held at the daily limit (3 for announcements)")
            assert len(graph.sent) == 3  # one place is kept for reminders and seat notices
            progress = await bot_api.wait_for(
                lambda r: r.method in ("editMessageText", "sendMessage")
                and "daily limit is reached" in (r.text or ""), timeout=10)
            assert "2 more go out from Thursday, 2 September 2027 at" in progress.text
        assert len(graph.sent) == 3
        clock.advance(hours=24, seconds=5)  # the next day's places are open
        async with mixed(tmp_path, graph, bot_api, clock, extra) as bot:
            await graph.wait_for(lambda: len(graph.sent) == 5)
            await settled(bot.core.db, "broadcast", timeout=10)
            report = await bot_api.wait_for(
                lambda r: r.method == "sendMessage" and "finished" in (r.text or ""),
                timeout=10)
            assert "Sent: 5" in report.text
    assert Counter(s.to for s in graph.sent) == dict.fromkeys(outside, 1)
    assert graph.failed == [] and graph.limits.counts == {}  # Meta's limit never reached


async def test_without_an_announcement_template_those_outside_wait_and_the_progress_says_so(
        tmp_path):
    shipped = (PROJECT_DIR / "templates.toml").read_text(encoding="utf-8")
    (tmp_path / "mine.toml").write_text(
        shipped.replace('announcement = "umkm_pengumuman"\n', ""), encoding="utf-8")
    clock = Clock()
    extra = '[whatsapp]\ntemplates = "mine.toml"\n[broadcast]\nprogress_every_s = 0.5\n'
    async with FakeGraph(clock=clock) as graph, FakeBotAPI() as bot_api, \
            mixed(tmp_path, graph, bot_api, clock, extra) as bot:
        core = bot.core
        inside, outside = await whatsapp_owners(graph, bot, 1, 2)
        staff = Owner(core, user_id=str(STAFF_ID), language_code="en")
        await staff.say("/announce")
        await staff.say("Pelatihan ekspor dibuka!")
        await staff.press("bc:a:all")
        await staff.press("bc:now")
        progress = await bot_api.wait_for(
            lambda r: r.method in ("editMessageText", "sendMessage")
            and "wait for an approved template" in (r.text or ""), timeout=10)
        assert "⏳ 2 WhatsApp owners are outside the 24-hour window and wait for an " \
               "approved template (see `umkm-bot check`)." in progress.text
        assert [s.to for s in graph.sent] == inside  # nothing free-form outside the window
        rows = await core.db.all("SELECT status, waiting FROM outbox WHERE chat_id IN"
                                 " (?, ?)", tuple(outside))
        assert [tuple(r) for r in rows] == [("queued", "no_template")] * 2
        # One of them writes: the window is open, and the announcement reaches her.
        back = graph.user(outside[0], name="Rina", user_id=outside[0])
        await back.say("halo")
        await graph.wait_for(lambda: any(s.to == outside[0] and "Pelatihan ekspor" in s.body
                                         for s in graph.sent))
        assert not any(s.to == outside[1] for s in graph.sent)
    assert graph.failed == [] and graph.refused == []
