"""Broadcasts through the core: composing, audiences, preview, sending, scheduling, opting out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import broadcasting as delivery
from bot.channel import InboundKind, Reply
from bot.cli import FEATURES
from bot.core import Core
from bot.i18n import Catalogs
from bot.storage import Database
from bot.storage.broadcasts import Audience
from tests.support.config import STAFF_ID
from tests.support.owner import Owner
from tests.support.population import add_interest, add_owners, add_session, sign_up
from tests.support.sending import drain, eventually
from tests.support.transport import Recorder

WIB = ZoneInfo("Asia/Jakarta")
NOW_WIB = datetime(2027, 9, 1, 9, 0, tzinfo=WIB)  # a Wednesday


@pytest.fixture
async def running(core):
    """The core with its sender and scheduler running over a recording transport."""
    transport = Recorder()
    await core.start([transport])
    yield core, transport
    await core.stop()


def staff_of(core: Core, language: str = "en") -> Owner:
    return Owner(core, user_id=str(STAFF_ID), language_code=language)


async def compose(staff: Owner, html: str = "Pelatihan <b>ekspor</b> dibuka!",
                  audience: tuple[str, ...] = ("Everyone",)) -> None:
    await staff.say("/umumkan")
    await staff.send(InboundKind.TEXT, text="Pelatihan ekspor dibuka!", html=html)
    for label in audience:
        await staff.tap(label)


async def schedule(core: Core, when: str, owners: int = 3) -> Owner:
    """Owners, and a staff member who scheduled an announcement to all of them at `when`."""
    await add_owners(core.db, owners, eligible=True)
    staff = staff_of(core)
    await compose(staff)
    await staff.tap("Send later")
    await staff.say(when)
    return staff


async def test_counts_of_every_audience(core):
    db = core.db
    batik = await add_owners(db, 3, first_id=100, eligible=True, readiness=80,
                             answers={"product_type": "batik", "kecamatan": "barat"})
    fish = await add_owners(db, 2, first_id=200, eligible=False,
                            answers={"product_type": "fish", "kecamatan": "utara"})
    await add_owners(db, 2, first_id=300)  # agreed, not finished
    await add_owners(db, 4, first_id=400, consented=False)  # never agreed: never announced to
    await add_owners(db, 1, first_id=500, channel="whatsapp")  # a channel not running
    october = await add_session(db, "Oktober", datetime(2027, 10, 6, 2, tzinfo=UTC))
    await sign_up(db, october, batik[:2])
    await sign_up(db, october, [batik[2]], status="waiting")
    await add_interest(db, 2027, [*fish, batik[0]])
    channels = ["telegram"]
    expected = {
        Audience("all"): 7, Audience("eligible"): 3, Audience("not_eligible"): 2,
        Audience("registered", str(october)): 2, Audience("waiting", str(october)): 1,
        Audience("interest", "2027"): 3, Audience("product", "batik"): 3,
        Audience("product", "fish"): 2, Audience("kecamatan", "utara"): 2,
        Audience("kecamatan", "timur"): 0,
    }
    for audience, count in expected.items():
        assert await db.broadcasts.count(audience, channels) == count, audience
    await db.broadcasts.opt_out(batik[0], core.clock())
    await db.owners.mark_blocked(fish[0], core.clock())
    assert await db.broadcasts.count(Audience("all"), channels) == 5
    assert await db.broadcasts.count(Audience("interest", "2027"), channels) == 1
    await db.broadcasts.opt_in(batik[0])
    assert await db.broadcasts.count(Audience("eligible"), channels) == 3
    with pytest.raises(ValueError):
        await db.broadcasts.count(Audience("registered"), channels)  # needs a session


async def test_a_formatted_announcement_is_previewed_sent_once_and_reported(running):
    core, transport = running
    owners = await add_owners(core.db, 30, eligible=True)
    staff = staff_of(core)
    await compose(staff, html='Pelatihan <b>ekspor</b> <a href="https://x.id">daftar</a>')
    preview = [r for r in staff.last if isinstance(r, Reply)]
    assert "Preview" in preview[0].text
    shown = preview[1].text  # exactly what owners get, with the opt-out line
    assert shown.startswith('Pelatihan <b>ekspor</b> <a href="https://x.id">daftar</a>')
    assert "It will go to 30 owners." in staff.text()
    await staff.tap("Send now")
    assert "on its way" in staff.text()
    await drain(core)
    for owner_chat in (str(10_000 + n) for n in range(30)):
        (received,) = transport.to(owner_chat)
        assert received.text.startswith("Pelatihan <b>ekspor</b>")
        assert "balas BERHENTI" in received.text  # in the owner's language (Indonesian)
    progress = transport.to(str(STAFF_ID))
    assert "Announcement #1" in progress[0].text
    await delivery.report_progress(core, 1, {})
    chat, message_id, done = transport.edits[-1]  # the progress message shows where it ended
    assert (chat, message_id) == (str(STAFF_ID), "1") and "Done: 30 of 30 handled" in done
    report = transport.to(str(STAFF_ID))[-1].text  # the report: a new message, so staff are told
    assert "finished" in report and "Sent: 30" in report and "Failed: 0" in report
    assert (await core.db.broadcasts.get(1)).status == "done"
    (entry,) = [e for e in await core.db.staff.audit_entries() if e.action == "broadcast.send"]
    assert entry.audience == 30 and entry.detail == {"broadcast": 1, "to": "all", "value": ""}
    assert len(owners) == 30


async def test_progress_says_how_many_are_sent_and_how_long_is_left(running):
    core, transport = running
    await add_owners(core.db, 1000, eligible=True)
    staff = staff_of(core, "id")
    await staff.say("/umumkan")
    await staff.send(InboundKind.TEXT, text="Halo")
    await core.sender.stop()  # the test plays the sender: 450 of the 1000 are sent
    await staff.tap("Semua")
    await staff.tap("Kirim sekarang")
    core.sender.config = core.sender.config.__class__(rate=25)  # keep it slow for this check
    handled = await core.db.outbox.claim(["telegram"], core.clock(), 450)
    await core.db.outbox.finish([delivery_outcome(i.id) for i in handled], core.clock())
    await delivery.report_progress(core, 1, {})
    text = transport.edits[-1][2]
    assert "Terkirim 450 dari 1.000 — sekitar 22 detik lagi" in text


def delivery_outcome(row_id: int):
    from bot.storage.outbox import SendResult
    return SendResult(row_id, "sent", 1)


async def test_a_photo_with_a_caption_goes_out_as_a_photo(running):
    core, transport = running
    await add_owners(core.db, 2, eligible=True)
    staff = staff_of(core)
    await staff.say("/umumkan")
    await staff.send(InboundKind.MEDIA, media="photo", file_ref="AgAC-photo", text="Jadwal",
                     html="<i>Jadwal</i>")
    await staff.tap("Eligible")
    (preview,) = [r for r in staff.last if isinstance(r, Reply) and r.attachment]
    assert preview.attachment.ref == "AgAC-photo" and preview.attachment.kind == "photo"
    await staff.tap("Send now")
    await drain(core)
    (received,) = transport.to("10000")
    assert received.attachment.ref == "AgAC-photo" and received.text.startswith("<i>Jadwal</i>")


async def test_wrong_input_while_composing_is_answered_and_loses_nothing(running):
    core, _transport = running
    await add_owners(core.db, 1)
    staff = staff_of(core)
    await staff.say("/umumkan")
    await staff.send(InboundKind.MEDIA, media="sticker")
    assert "as text, or as a photo or document" in staff.text()
    await staff.send(InboundKind.TEXT, text="x" * 5000)
    assert "too long" in staff.text()
    await staff.send(InboundKind.TEXT, text="<script>alert(1)</script>")
    await staff.say("hello?")  # typing instead of pressing an audience button
    assert "use the buttons" in staff.text()
    await staff.tap("Registered for a session")
    assert "nothing to choose from" in staff.text()
    await staff.tap("Everyone")
    assert "&lt;script&gt;" in next(r.text for r in staff.last
                                     if isinstance(r, Reply) and "script" in r.text)
    await staff.press("audiencevalue:registered:999")  # a forged session
    assert "no longer works" in staff.text()
    await staff.press("send:now")
    await staff.press("send:now")  # pressed twice: one broadcast only
    assert "no longer works" in staff.text()
    assert len(await core.db.broadcasts.recent()) == 1
    await compose(staff)
    await staff.tap("Do not send")
    assert "Nothing was sent" in staff.text()
    await staff.press("send:now")  # the preview's button after cancelling
    assert "no longer works" in staff.text()
    assert len(await core.db.broadcasts.recent()) == 1


async def test_a_scheduled_broadcast_survives_a_restart_and_can_be_cancelled(running, config,
                                                                          clock):
    core, transport = running
    staff = await schedule(core, "2027-09-02 10:00")
    assert "scheduled for Thursday, 2 September 2027 at 10:00" in staff.text()
    job = core.scheduler.get_job("broadcast:1")
    assert job.next_run_time == datetime(2027, 9, 2, 10, 0, tzinfo=WIB)
    await core.stop()
    # A new process on the same database rebuilds the job.
    again = Core(config, await Database.open(config.database), Catalogs(config.time_zone), FEATURES,
                 clock=clock)
    await again.start([transport])
    try:
        assert again.scheduler.get_job("broadcast:1") is not None
        staff = staff_of(again)
        await staff.say("/pengumuman")
        assert "scheduled" in staff.text()
        await staff.tap("Cancel #1")
        assert "cancelled; nobody received it" in staff.text()
        assert again.scheduler.get_job("broadcast:1") is None
        assert not await delivery.launch(again, 1)  # the time comes: nothing happens
        await staff.press("bccancel:1")
        assert "can no longer be cancelled: it is cancelled" in staff.text()
        assert transport.to("10000") == []
    finally:
        await again.stop()
        await again.db.close()


async def test_a_scheduled_broadcast_starts_at_its_time(running):
    core, transport = running
    staff = await schedule(core, "besok 08:00")
    assert await delivery.launch(core, 1)  # what the scheduler runs at that time
    await drain(core)
    assert len(transport.to("10002")) == 1
    await staff.press("bccancel:1")
    assert "can no longer be cancelled" in staff.text()


async def test_one_missed_long_ago_is_not_sent_late_and_its_author_is_told(running, config,
                                                                         clock):
    core, transport = running
    await schedule(core, "besok 08:00", owners=2)
    await core.stop()
    clock.advance(days=3)  # the bot was down until long after
    again = Core(config, core.db, core.catalogs, FEATURES, clock=clock)
    await again.start([transport])
    try:
        assert (await again.db.broadcasts.get(1)).status == "missed"
        assert "was not running then" in transport.to(str(STAFF_ID))[-1].text
        assert transport.to("10000") == []
    finally:
        await again.stop()


async def test_one_due_while_the_bot_was_briefly_down_starts_at_start_up(running, config,
                                                                          clock):
    core, transport = running
    await schedule(core, "besok 08:00", owners=2)
    await core.stop()
    clock.advance(days=1, hours=1)  # an hour after its time
    again = Core(config, core.db, core.catalogs, FEATURES, clock=clock)
    await again.start([transport])
    try:
        assert (await again.db.broadcasts.get(1)).status == "sending"
        assert again.scheduler.get_job("broadcast:1") is None
        assert again.scheduler.get_job("broadcast-progress:1") is not None
        assert (await again.db.broadcasts.get(1)).total == 2  # both owners queued
    finally:
        await again.stop()


async def test_stopping_a_broadcast_withdraws_what_is_not_sent(running):
    core, transport = running
    await add_owners(core.db, 50, eligible=True)
    staff = staff_of(core)
    await compose(staff)

    def ten_announced() -> bool:  # then Telegram asks the bot to wait a minute
        return len([chat for chat in transport.chats() if chat != str(STAFF_ID)]) >= 10

    async def paused() -> bool:
        sending = await core.db.one("SELECT count(*) FROM outbox WHERE status = 'sending'")
        return ten_announced() and transport.failed != [] and sending[0] == 0
    transport.busy = ten_announced
    await staff.tap("Send now")
    await eventually(paused, what="ten sent, the rest back in the queue")
    await delivery.report_progress(core, 1, {})
    assert transport.edit_buttons[-1][0][0].data == "bcstop:1"
    await staff.press("bcstop:1")
    assert "Stopped" in staff.text()
    transport.busy = None
    core.sender.paused_until = 0.0  # the minute is over: whatever is still queued may go
    await drain(core)
    await delivery.report_progress(core, 1, {})
    report = transport.to(str(STAFF_ID))[-1].text
    assert "stopped" in report and "Sent: 10" in report
    assert "Not sent (stopped, or the owner stopped announcements): 40" in report
    await staff.press("bcstop:1")
    assert "not being sent any more" in staff.text()


async def test_failures_are_listed_on_request(running):
    core, transport = running
    from bot.delivery import Rejected, UserGone

    ids = await add_owners(core.db, 4, eligible=True)
    transport.failures = {"10001": [Rejected("Bad Request: chat not found")],
                          "10002": [UserGone("blocked")]}
    staff = staff_of(core)
    await compose(staff)
    await staff.tap("Send now")
    await drain(core)
    await delivery.report_progress(core, 1, {})
    report = transport.to(str(STAFF_ID))[-1].text
    assert "Sent: 2" in report and "Blocked the bot: 1" in report and "Failed: 1" in report
    await staff.press("bcfailures:1")
    assert f"owner #{ids[1]}: Bad Request: chat not found" in staff.text()
    assert (await core.db.owners.get(ids[2])).blocked_at is not None


async def test_owners_can_stop_and_resume_announcements(running):
    core, transport = running
    owner = Owner(core, user_id="10000", language_code="en")
    await add_owners(core.db, 2, eligible=True)
    await owner.say("/berhenti")  # the old name: it asks what to stop
    assert "Apa yang ingin Anda hentikan?" in owner.text()  # the owner's language: Indonesian
    assert await core.db.broadcasts.opted_out(1) is None  # nothing stopped before the answer
    await owner.tap("Pengumuman")
    assert "Pengumuman dihentikan" in owner.text()
    await owner.say("/datasaya")
    assert "Pengumuman: dihentikan sejak" in owner.text()
    staff = staff_of(core)
    await compose(staff)
    assert "It will go to 1 owner." in staff.text()
    await staff.tap("Send now")
    await drain(core)
    assert transport.to("10000") == [] and len(transport.to("10001")) == 1
    await owner.say("/lanjutkanpesan")  # the old name: it asks too
    assert "Terima lagi?" in owner.text()
    await owner.tap("Terima lagi")
    assert "pengumuman dari kami lagi" in owner.text()
    assert await core.db.broadcasts.opted_out(1) is None
    await compose(staff)
    assert "It will go to 2 owners." in staff.text()


async def test_the_audit_log_shows_staff_actions_to_staff_only(running):
    core, _transport = running
    await add_owners(core.db, 2)
    staff = staff_of(core)
    await compose(staff)
    await staff.tap("Send now")
    await staff.say("/audit")
    # In words, and people by name (issue 12), not "broadcast.send" and "<code>broadcast=1</code>".
    assert "Sent announcement #1 · 2 owners" in staff.text()
    assert "broadcast.send" not in staff.text() and "broadcast=" not in staff.text()
    owner = Owner(core, user_id="10000", language_code="en")
    await owner.say("/audit")
    assert "/audit" not in owner.text() and "broadcast" not in owner.text()
    assert "tidak kami kenal" in owner.text()  # "I don't know that command", in Indonesian


@pytest.mark.parametrize(("late", "status"), [
    (timedelta(hours=1), "sending"),  # a restart an hour late: it still goes out
    (delivery.LATE_LIMIT - timedelta(minutes=1), "sending"),
    (delivery.LATE_LIMIT + timedelta(minutes=1), "missed"),
    (timedelta(days=1, minutes=1), "missed"),  # a day late: its text may be out of date
])
async def test_a_broadcast_is_sent_late_only_within_the_late_limit(running, config, clock, late,
                                                                  status):
    core, transport = running
    await schedule(core, "besok 08:00", owners=1)
    scheduled_for = (await core.db.broadcasts.get(1)).scheduled_for
    await core.stop()
    clock.now = scheduled_for + late  # the bot was down until then
    again = Core(config, core.db, core.catalogs, FEATURES, clock=clock)
    await again.start([transport])
    try:
        assert (await again.db.broadcasts.get(1)).status == status
    finally:
        await again.stop()


async def test_the_staff_menu_leads_to_every_staff_tool(running):
    core, _transport = running
    staff = staff_of(core)
    await staff.say("/staf")
    labels = [b.label for r in staff.last for row in r.buttons for b in row]
    for label in ("Announce", "Announcements", "Summary", "Download (Excel)",
                  "Poster link & QR", "Staff actions log"):
        assert any(label in shown for shown in labels), label
    await staff.tap("Summary")
    assert "All: 0 → 0" in staff.text()
    await staff.say("/staf")
    await staff.tap("Poster link & QR")
    assert "Which name should the link carry" in staff.text()
    await staff.say("poster batik!")  # not a valid name: asked again
    assert "may only have letters" in staff.text()
    await staff.say("poster-batik")
    (reply,) = staff.last
    assert "https://t.me/umkm_test_bot?start=poster-batik" in reply.text
    assert reply.attachment.content.startswith(b"\x89PNG")
    assert await core.db.staff.flow("telegram", str(STAFF_ID)) is None


async def test_a_half_composed_announcement_survives_a_restart_and_staff_see_one_date_example(
        running, config, clock):
    core, transport = running
    await add_owners(core.db, 2, eligible=True)
    await compose(staff_of(core))  # written and addressed: the preview is shown
    await core.stop()
    # A new process on the same database: the answers are the staff flow's, so it goes on.
    again = Core(config, await Database.open(config.database), Catalogs(config.time_zone),
                 FEATURES, clock=clock)
    await again.start([transport])
    try:
        staff = staff_of(again)
        example = "2/9/2027 09.00"  # tomorrow at 09.00, as the office writes dates
        await staff.press("send:later")
        assert f"for example {example}." in staff.text()
        await staff.say("kapan-kapan")
        assert f"for example {example}." in staff.text() and "/cancel" in staff.text()
        await staff.say("Kamis, 2 September 2027 pukul 10.00")
        assert "scheduled for Thursday, 2 September 2027 at 10:00" in staff.text()
        assert "2 owners" in staff.text()
        await staff.say("/sesi")
        await staff.tap("New session")
        await staff.say("Pelatihan Ekspor Oktober 2027")
        assert "When does it start?" in staff.text() and f"for example {example}." in staff.text()
        await staff.say("kapan-kapan")
        assert f"Please type it like {example}." in staff.text()
    finally:
        await again.stop()
        await again.db.close()
