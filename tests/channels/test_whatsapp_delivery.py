"""Delivery on WhatsApp, end to end against the fake Graph API: status webhooks matched to the
outbox rows they are about (delivered, read, failed by reason in /pengumuman), an owner not on
WhatsApp (131026) and one who stopped marketing (131050) until they write again, and the two
rate limits (130429 for the number, 131056 for one person) backed off without loss or
duplicates; and a lost connection, through the real HTTP client, telling whether the message
may have arrived."""

from __future__ import annotations

import asyncio
import socket
from collections import Counter
from datetime import timedelta

import httpx
import pytest

from bot.actions import Actor, announcements
from bot.actions.announcements import Draft
from bot.config import load_config
from bot.delivery import Unavailable
from bot.storage.broadcasts import Audience
from handlers.whatsapp import client, mapped_errors, session_of
from tests.support.clock import Clock, RunningClock
from tests.support.config import STAFF_ID, write_config
from tests.support.fakegraph import FakeGraph
from tests.support.owner import Owner
from tests.support.population import add_owners
from tests.support.sending import eventually, settled
from tests.support.wabot import Running, whatsapp_bot, whatsapp_env, wrote

STAFF = Actor("telegram", str(STAFF_ID), "")
FIRST = 6281400000001


async def owners(graph: FakeGraph, bot: Running, count: int, *, inside: bool = True,
                 first: int = FIRST) -> list[str]:
    """WhatsApp owners who agreed (chat ids); `inside`: they wrote an hour ago."""
    await add_owners(bot.core.db, count, first_id=first, channel="whatsapp", eligible=True)
    chats = [str(first + n) for n in range(count)]
    if inside:
        for chat in chats:
            await wrote(bot.core.db, chat, bot.core.clock() - timedelta(hours=1))
            graph.limits.last_inbound[chat] = bot.core.clock() - timedelta(hours=1)
    return chats


async def announce(bot: Running, text: str = "*Pelatihan ekspor* dibuka!") -> int:
    """Send an announcement to everyone now (as the web page does); its number."""
    done = await announcements.send_now(bot.core, STAFF, bot.core.clock(),
                                        Draft(text, Audience("all")), language="en")
    assert done.broadcast is not None
    return done.broadcast.id


async def announcement_list(bot: Running) -> str:
    """What /pengumuman says (to a staff member, in English)."""
    staff = Owner(bot.core, user_id=str(STAFF_ID), language_code="en")
    await staff.say("/announcements")
    return staff.text()


async def test_status_webhooks_update_the_report_with_delivered_read_and_failures(tmp_path):
    clock = Clock()
    async with whatsapp_bot(tmp_path, clock=clock, statuses=True) as (graph, bot):
        chats = await owners(graph, bot, 4)
        graph.readers.update(chats[:2])  # two of them read it at once
        graph.limits.unreachable.add(chats[3])  # no longer on WhatsApp: fails after a moment
        number = await announce(bot)
        await graph.wait_for(lambda: len([s for s in graph.posted_statuses
                                          if s[1] in ("delivered", "failed")]) == 4)
        db = bot.core.db

        async def noted() -> bool:
            found = await db.outbox.deliveries("broadcast", str(number))
            return found.get("whatsapp", {}).get("read") == 2
        await eventually(noted, what="the statuses noted on the outbox rows")
        assert await db.outbox.deliveries("broadcast", str(number)) == {
            "whatsapp": {"delivered": 3, "read": 2, "failed:unreachable": 1}}
        listed = await announcement_list(bot)
        assert "4 sent" in listed
        assert "WhatsApp: delivered 3, read 2" in listed
        assert "Not delivered on WhatsApp: not on WhatsApp (or blocked us) 1" in listed
        # 131026 marks the owner unreachable, as a Telegram block does; a new message clears it.
        gone = await db.owners.find("whatsapp", chats[3])
        assert gone.blocked_at is not None
        assert await announcements.counts(bot.core, Audience("all")) == {"whatsapp": 3}
        staff = Owner(bot.core, user_id=str(STAFF_ID), language_code="en")
        await staff.say("/announcements")
        await staff.press(f"bc:f:{number}")
        assert f"owner #{gone.id}: not on WhatsApp (or blocked us)" in staff.text()
        back = Owner(bot.core, user_id=chats[3], channel="whatsapp", language_code=None)
        await back.say("halo")
        assert (await db.owners.find("whatsapp", chats[3])).blocked_at is None


async def test_an_owner_who_stopped_marketing_gets_no_announcements_until_they_write(tmp_path):
    clock = Clock()
    async with whatsapp_bot(tmp_path, "[broadcast.whatsapp]\nper_chat_interval = 0\n",
                            clock=clock) as (graph, bot):
        chats = await owners(graph, bot, 3, inside=False)  # silent for long: templates
        graph.limits.stopped_marketing.add(chats[0])
        first = await announce(bot)
        await graph.wait_for(lambda: len([s for s in graph.sent if s.kind == "template"]) == 3
                             and graph.failed)
        assert graph.failed[0][1] == 131050
        db = bot.core.db

        async def stopped() -> bool:
            owner = await db.owners.find("whatsapp", chats[0])
            return owner.marketing_stopped_at is not None
        await eventually(stopped, what="the owner marked as stopping marketing")
        assert await announcements.counts(bot.core, Audience("all")) == {"whatsapp": 2}
        assert "stopped marketing messages in WhatsApp 1" in await announcement_list(bot)
        second = await announce(bot, "Jadwal baru")
        await settled(db, "broadcast")
        assert {s.to for s in graph.sent if s.kind == "template"} == set(chats)
        rows = await db.all("SELECT chat_id FROM outbox WHERE kind = 'broadcast' AND ref = ?",
                            (str(second),))
        assert sorted(r[0] for r in rows) == chats[1:]
        assert first != second
        # Writing again clears it: the next announcement reaches them.
        back = Owner(bot.core, user_id=chats[0], channel="whatsapp", language_code=None)
        await back.say("halo")
        assert (await db.owners.find("whatsapp", chats[0])).marketing_stopped_at is None
        assert await announcements.counts(bot.core, Audience("all")) == {"whatsapp": 3}


async def test_the_numbers_rate_limit_is_backed_off_without_loss_or_duplicates(tmp_path):
    clock = RunningClock()  # the pauses pass in real time
    # The bot believes it may send 200 a second; Meta allows this number 20.
    async with whatsapp_bot(tmp_path, "[broadcast.whatsapp]\nrate = 200\n"
                            "per_chat_interval = 0\n", clock=clock, rate=20) as (graph, bot):
        chats = await owners(graph, bot, 60)
        await announce(bot)

        def everyone() -> bool:
            return {s.to for s in graph.sent} >= set(chats)
        await graph.wait_for(everyone, timeout=30)
        await settled(bot.core.db, "broadcast", timeout=10)
        assert graph.limits.counts.get(130429, 0) > 0  # it was hit, and got over it
        assert Counter(s.to for s in graph.sent) == dict.fromkeys(chats, 1)  # once each
        assert (await bot.core.db.outbox.counts("broadcast", "1")) == {"sent": 60, "resent": 0}


async def test_the_pair_rate_delays_only_that_owners_message(tmp_path):
    clock = Clock()  # the bot waits 6 s by its clock, which the test moves
    async with whatsapp_bot(tmp_path, "[broadcast.whatsapp]\nper_chat_interval = 0\n",
                            clock=clock) as (graph, bot):
        graph.limits.pair_burst, graph.limits.pair_interval = 1.0, 0.2
        one, other = await owners(graph, bot, 2)
        db = bot.core.db
        ids = {chat: (await db.owners.find("whatsapp", chat)).id for chat in (one, other)}
        for text in ("Halo", "Jadwal baru"):
            await db.broadcasts.create(channel="telegram", author="1", chat_id="",
                                       language="en", html=text, file_ref="", file_kind="",
                                       audience=Audience("all"), scheduled_for=clock(),
                                       now=clock())
        for ref in ("1", "2"):  # two announcements to one owner at once, one to another
            await db.outbox.enqueue(ids[one], "broadcast", ref, {}, clock())
        await db.outbox.enqueue(ids[other], "broadcast", "1", {}, clock())
        bot.core.wake_sender()

        async def held_back() -> int:
            row = await db.one("SELECT count(*) FROM outbox WHERE status = 'queued'"
                               " AND not_before > ?", (clock().isoformat(timespec="seconds"),))
            return row[0]

        async def pair_limited() -> bool:
            return graph.limits.counts.get(131056, 0) > 0 and await held_back() == 1
        await eventually(pair_limited, what="one message held back by the pair rate")
        await graph.wait_for(lambda: graph.to_chat(other))  # the other's went all the same
        for _attempt in range(30):  # 6 s later by the bot's clock it goes (or waits again)
            clock.advance(seconds=7)
            bot.core.wake_sender()

            async def tried() -> bool:
                return len(graph.to_chat(one)) == 2 or await held_back() == 1
            await eventually(tried, what="another try")
            if len(graph.to_chat(one)) == 2:
                break
        assert len(graph.to_chat(one)) == 2 and len(graph.to_chat(other)) == 1
        assert graph.limits.counts[131056] >= 1
        await settled(db, "broadcast")
        assert await db.outbox.counts("broadcast", "1") == {"sent": 2, "resent": 0}


async def test_a_lost_connection_says_whether_the_message_may_have_arrived(tmp_path):
    """pywa on httpx on aiohttp, as the bot sends: a refused connection never carried the
    message; one that took the request and never answered (a read timeout) may have, so the
    sender counts a second try as a possible duplicate."""
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)  # the request arrived; no answer, until the client gives up
        await reader.read()
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        nobody = closed.getsockname()[1]
    caught = {}
    async with FakeGraph() as graph, server:
        for name, port in (("refused", nobody), ("silent", server.sockets[0].getsockname()[1])):
            env = whatsapp_env(graph) | {"WHATSAPP_API_BASE_URL": f"http://127.0.0.1:{port}"}
            wa = client(load_config(write_config(tmp_path), env=env).whatsapp)
            session_of(wa).timeout = httpx.Timeout(0.5)
            try:
                with pytest.raises(Unavailable) as caught[name], mapped_errors():
                    await wa.send_message("6281400000001", "Halo")
            finally:
                await session_of(wa).aclose()
    assert not caught["refused"].value.maybe_delivered
    assert caught["silent"].value.maybe_delivered
