"""Reminders on WhatsApp across the 24-hour window, end to end: the real scheduler, sender and
pywa against the fake Graph API, which shares the clock the test moves and enforces the window
(a free-form message to an owner outside it is accepted, then fails with 131047)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot import reminder_jobs
from bot.config import PROJECT_DIR
from bot.storage.outbox import WAITING_NO_TEMPLATE
from tests.support.clock import RunningClock
from tests.support.fakegraph import FakeGraph, FakeUser
from tests.support.sending import eventually, settled
from tests.support.sessionkit import START, eligible
from tests.support.wabot import Running, whatsapp_bot, wrote

SESSION = ('[[sessions]]\nkey = "2027-10"\ntitle = "Pelatihan Ekspor Oktober 2027"\n'
           'starts_at = "2027-10-06 09:00"\nplace = "Aula Dindagkop-UKM"\ncapacity = 30\n')
WEEK = timedelta(days=7)


async def seated(graph: FakeGraph, bot: Running, user: FakeUser, clock: RunningClock, *,
                 language: str = "id", wrote_ago: timedelta | None = None) -> int:
    """An eligible WhatsApp owner with a seat in the October session, who last wrote
    `wrote_ago` before now (to the bot and to Meta alike)."""
    db = bot.core.db
    owner = await eligible(db, user.user_id, clock(), language=language, channel="whatsapp")
    await db.inbox.remember_address("whatsapp", user.user_id, user.wa_id)
    assert (await db.registrations.register(1, owner, clock())).outcome == "registered"
    if wrote_ago is not None:
        await wrote(db, user.user_id, clock() - wrote_ago)
        graph.limits.last_inbound[user.user_id] = clock() - wrote_ago
    return owner


def late_september() -> RunningClock:
    """An hour before the 7-day reminder is due."""
    return RunningClock(START - WEEK - timedelta(hours=1))


async def week_before(bot: Running, clock: RunningClock) -> None:
    """Move to a moment before the 7-day reminder: its job runs a fraction of a second later."""
    clock.set(START - WEEK - timedelta(seconds=0.3))
    await reminder_jobs.rebuild(bot.core)


def templates(graph: FakeGraph, user: FakeUser):
    """The templates the bot sent to one user."""
    return [s for s in graph.to(user) if s.kind == "template"]


async def test_a_reminder_outside_the_window_is_its_template_and_its_button_confirms(tmp_path):
    clock = late_september()
    async with whatsapp_bot(tmp_path, SESSION, clock=clock) as (graph, bot):
        siti = graph.user("6281311110001", name="Siti")  # signed up in July, silent since
        ann = graph.user("6281311110002", name="Ann")  # the same, reading English
        rina = graph.user("6281311110003", name="Rina")  # wrote an hour ago
        siti_id = await seated(graph, bot, siti, clock, wrote_ago=timedelta(days=30))
        await seated(graph, bot, ann, clock, language="en", wrote_ago=timedelta(days=30))
        await seated(graph, bot, rina, clock, wrote_ago=timedelta(hours=1))
        await week_before(bot, clock)
        await graph.wait_for(lambda: templates(graph, siti) and templates(graph, ann)
                             and graph.to(rina))
        (reminder,) = templates(graph, siti)
        assert (reminder.template, reminder.language) == ("umkm_pengingat_pelatihan", "id")
        assert reminder.body.startswith("Pengingat dari Dindagkop-UKM Kota Pekalongan: "
                                        "pelatihan ekspor Anda dimulai 7 hari lagi.")
        assert "*Pelatihan Ekspor Oktober 2027*" in reminder.body
        assert "Waktu: Rabu, 6 Oktober 2027 pukul 09.00 WIB" in reminder.body
        assert "Tempat: Aula Dindagkop-UKM" in reminder.body
        assert [(c.id, c.title) for c in reminder.choices] == [
            ("attend:yes:1", "Ya, saya datang"), ("attend:no:1", "Saya tidak bisa datang")]
        (english,) = templates(graph, ann)
        assert english.language == "en"
        assert "your export training starts in 7 days." in english.body
        assert "When: Wednesday, 6 October 2027 at 9:00\u202fAM WIB" in english.body
        assert [c.title for c in english.choices] == ["Yes, I will come", "I cannot come"]
        # Inside the window: the normal reminder with its reply buttons, free-form.
        (normal,) = graph.to(rina)
        assert normal.kind == "buttons" and "Pengingat: pelatihan ekspor Anda" in normal.body
        assert [c.id for c in normal.choices] == ["attend:yes:1", "attend:no:1"]
        # The template's quick reply works like the same button anywhere.
        await siti.press("attend:yes")
        assert "Terima kasih" in siti.text()
        registration = await bot.core.db.registrations.get(1, siti_id)
        assert registration.attendance == "confirmed"
        assert graph.refused == [] and graph.failed == []
        rows = await bot.core.db.all("SELECT chat_id, via, status FROM outbox"
                                     " WHERE kind = 'reminder' ORDER BY id")
        assert sorted(tuple(r) for r in rows) == sorted([
            (siti.user_id, "template", "sent"), (ann.user_id, "template", "sent"),
            (rina.user_id, "text", "sent")])


async def test_a_kind_without_a_template_is_held_then_sent_when_the_owner_writes(tmp_path):
    shipped = (PROJECT_DIR / "templates.toml").read_text(encoding="utf-8")
    mine = Path(tmp_path / "mine.toml")
    mine.write_text(shipped.replace('reminder_7d = "umkm_pengingat_pelatihan"\n', ""),
                    encoding="utf-8")
    clock = late_september()
    async with whatsapp_bot(tmp_path, SESSION + '[whatsapp]\ntemplates = "mine.toml"\n',
                            clock=clock) as (graph, bot):
        budi = graph.user("6281311110011", name="Budi")
        await seated(graph, bot, budi, clock, wrote_ago=timedelta(days=30))
        await week_before(bot, clock)
        db = bot.core.db

        async def held() -> bool:
            row = await db.one("SELECT status, waiting, last_error FROM outbox"
                               " WHERE kind = 'reminder'")
            return row is not None and tuple(row) == (
                "queued", WAITING_NO_TEMPLATE, "waiting: no_template")
        await eventually(held, what="the reminder held for want of a template")
        assert graph.to(budi) == []  # never sent free-form outside the window
        # The owner writes: the window opens, and the reminder goes as the normal message.
        await budi.say("halo")
        await graph.wait_for(lambda: any("Pengingat" in s.body for s in graph.to(budi)))
        (reminder,) = [s for s in graph.to(budi) if "Pengingat" in s.body]
        assert reminder.kind == "buttons"
        await settled(db, "reminder")
        row = await db.one("SELECT status, via, waiting FROM outbox WHERE kind = 'reminder'")
        assert tuple(row) == ("sent", "text", None)
        assert graph.failed == []


async def test_a_free_form_message_failing_as_outside_the_window_goes_again_as_template(
        tmp_path):
    clock = late_september()
    async with whatsapp_bot(tmp_path, SESSION, clock=clock) as (graph, bot):
        dewi = graph.user("6281311110021", name="Dewi")
        await seated(graph, bot, dewi, clock, wrote_ago=timedelta(hours=2))
        # Meta's clock disagrees: for it, Dewi last wrote 25 hours ago.
        graph.limits.last_inbound[dewi.user_id] = clock() - timedelta(hours=25)
        await week_before(bot, clock)
        await graph.wait_for(lambda: templates(graph, dewi))
        free, template = graph.to(dewi)
        assert free.kind == "buttons" and template.kind == "template"
        assert graph.failed == [(free.id, 131047)]
        await settled(bot.core.db, "reminder")
        row = await bot.core.db.one(
            "SELECT status, via, forced_template, message_id, attempts FROM outbox"
            " WHERE kind = 'reminder'")
        assert tuple(row) == ("sent", "template", 1, template.id, 2)
