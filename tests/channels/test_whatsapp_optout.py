"""Stopping announcements on WhatsApp without a command: "STOP", "BERHENTI" or "berhenti pesan"
(any case, a final "." or "!") get one confirmation that says the way back, "MULAI"; the owner
gets no announcement after that, but the reminder of the session they hold a seat in still
comes; the quick reply under an announcement template does the same as the words."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot import reminder_jobs
from bot.actions import Actor, announcements
from bot.actions.announcements import Draft
from bot.storage.broadcasts import Audience
from tests.support.clock import RunningClock
from tests.support.config import STAFF_ID
from tests.support.sending import settled
from tests.support.sessionkit import START, eligible
from tests.support.wabot import whatsapp_bot

SESSION = ('[[sessions]]\nkey = "2027-10"\ntitle = "Pelatihan Ekspor Oktober 2027"\n'
           'starts_at = "2027-10-06 09:00"\nplace = "Aula Dindagkop-UKM"\ncapacity = 30\n'
           '[broadcast.whatsapp]\nper_chat_interval = 0\n')
STAFF = Actor("telegram", str(STAFF_ID), "")


@pytest.mark.parametrize("word", ["STOP", "BERHENTI", "berhenti pesan", "Berhenti!"])
async def test_a_stop_word_stops_announcements_but_not_the_reminder_of_a_held_seat(
        tmp_path, word):
    clock = RunningClock(START - timedelta(days=7, hours=1))
    async with whatsapp_bot(tmp_path, SESSION, clock=clock) as (graph, bot):
        db = bot.core.db
        budi = graph.user("6281600000001", name="Budi")
        owner = await eligible(db, budi.user_id, clock(), language="id", channel="whatsapp")
        await db.registrations.register(1, owner, clock())
        (answer,) = await budi.say(word)
        assert answer.body == ("Baik, Anda tidak akan menerima pengumuman dari kami lagi. "
                               "Pengingat pelatihan yang Anda ikuti tetap kami kirim. Untuk "
                               "menerima pengumuman lagi, kirim MULAI.")
        assert await db.broadcasts.opted_out(owner) is not None
        done = await announcements.send_now(bot.core, STAFF, clock(),
                                            Draft("Pameran batik", Audience("all")),
                                            language="en")
        assert done.count == 0  # not in the audience any more
        clock.set(START - timedelta(days=7, seconds=0.3))
        await reminder_jobs.rebuild(bot.core)
        await graph.wait_for(lambda: any("Pengingat" in s.body for s in graph.to(budi)))
        await settled(db, "reminder")
        # The way back.
        (again,) = await budi.say("MULAI")
        assert "Anda akan menerima pengumuman dari kami lagi" in again.body
        assert await db.broadcasts.opted_out(owner) is None


async def test_mulai_from_someone_who_did_not_stop_is_an_ordinary_first_message(tmp_path):
    async with whatsapp_bot(tmp_path) as (graph, bot):
        siti = graph.user("6281600000002", name="Siti")
        (welcome,) = await siti.say("mulai")
        assert [c.id for c in welcome.choices] == ["consent:yes", "consent:notice", "consent:no"]
        assert tuple(await bot.core.db.one("SELECT count(*) FROM announcement_optouts")) == (0,)


async def test_the_stop_quick_reply_of_an_announcement_template_stops_them_too(tmp_path):
    async with whatsapp_bot(tmp_path) as (graph, bot):
        db = bot.core.db
        rina = graph.user("6281600000003", name="Rina")
        owner = await eligible(db, rina.user_id, bot.core.clock(), language="id",
                               channel="whatsapp")
        graph.limits.last_inbound.clear()  # she has not written for long: a template
        await announcements.send_now(bot.core, STAFF, bot.core.clock(),
                                     Draft("Pameran batik", Audience("all")), language="en")
        await graph.wait_for(lambda: graph.to(rina))
        (template,) = graph.to(rina)
        assert template.kind == "template"
        assert [c.title for c in template.choices] == ["Baca selengkapnya",
                                                       "Berhenti terima kabar"]
        await rina.press("nonews")
        assert "kirim MULAI" in rina.text()
        assert await db.broadcasts.opted_out(owner) is not None
