"""The staff web page's announcements and interest lists: compose with formatting and a file,
the audience counted per channel, send now or later, follow it to its report; open, close and
invite to an interest list.

The core runs its sender over recording transports for Telegram and WhatsApp, so the counts
per channel and the messages that go out are the real ones.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from bot import broadcasting
from bot.storage.outbox import SendResult
from tests.support.config import STAFF_ID
from tests.support.population import add_interest, add_owners
from tests.support.sending import drain
from tests.support.sessionkit import outbox
from tests.support.staff_web import browser, sign_in, web_core
from tests.support.transport import Recorder

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4 jadwal pelatihan"


@pytest.fixture
async def running(tmp_path, clock):
    """The core with its sender running over recording transports for both messengers."""
    async with web_core(tmp_path, clock) as core:
        telegram, whatsapp = Recorder(), Recorder()
        whatsapp.name = "whatsapp"
        await core.start([telegram, whatsapp])
        yield core, telegram, whatsapp
        await core.stop()


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def field(page: str, name: str) -> str:
    return html.unescape(re.search(rf'name="{name}" value="([^"]*)"', page).group(1))


async def actions(core) -> list[tuple[str, str, int | None]]:
    return [(e.actor, e.action, e.audience) for e in reversed(await core.db.staff.audit_entries())
            if not e.action.startswith("web.")]


async def test_an_announcement_is_previewed_with_counts_per_channel_sent_and_reported(running):
    core, telegram, whatsapp = running
    await add_owners(core.db, 3, first_id=100, eligible=True)
    await add_owners(core.db, 2, first_id=200, channel="whatsapp", eligible=True)
    await add_owners(core.db, 2, first_id=300, eligible=False)
    async with browser(core) as client:
        csrf = await sign_in(client, core)
        empty = await client.post("/staf/pengumuman/pratinjau", data={
            "csrf": csrf, "text": "", "audience": "eligible"})
        assert empty.status_code == 400 and "Mohon tulis pengumumannya" in empty.text
        preview = await client.post("/staf/pengumuman/pratinjau", data={
            "csrf": csrf, "text": "Pelatihan *ekspor* dibuka <segera>!", "audience": "eligible"})
        assert preview.status_code == 200
        page = preview.text
        assert "Pelatihan <b>ekspor</b> dibuka &lt;segera&gt;!" in page  # formatted, escaped
        assert "balas BERHENTI" in page  # the footer owners get
        shown = text_of(page)
        assert re.search(r"Telegram\s+3\s+WhatsApp\s+2\s+Semuanya\s+5", shown), shown
        assert "Kirim sekarang ke 5 pelaku usaha" in shown
        assert await core.db.broadcasts.recent() == []  # nothing before "send"
        form = {"csrf": csrf, "text": field(page, "text"), "audience": field(page, "audience"),
                "form_key": field(page, "form_key")}
        sent = await client.post("/staf/pengumuman/kirim", data=form)
        assert sent.headers["location"] == "/staf/pengumuman/1?selesai=started"
        again = await client.post("/staf/pengumuman/kirim", data=form)  # a double click
        assert again.headers["location"] == "/staf/pengumuman/1?selesai=again"
        going = (await client.get("/staf/pengumuman/1")).text
        assert '<meta http-equiv="refresh" content="3; url=/staf/pengumuman/1">' in going
        assert re.search(r"Terkirim \d dari 5", text_of(going))
        await drain(core)
        await broadcasting.report_progress(core, 1, {})
        report = (await client.get("/staf/pengumuman/1")).text
        assert 'http-equiv="refresh"' not in report
        assert re.search(r"Terkirim\s+5\s+Memblokir bot\s+0\s+Gagal\s+0", text_of(report))
        listed = text_of((await client.get("/staf/pengumuman")).text)
        assert "#1" in listed and "terkirim" in listed
    assert len(await core.db.broadcasts.recent()) == 1
    assert sorted(telegram.chats()) == ["100", "101", "102"]
    assert sorted(whatsapp.chats()) == ["200", "201"]
    assert all(d.reply.text.startswith("Pelatihan <b>ekspor</b> dibuka &lt;segera&gt;!")
               for d in telegram.sent + whatsapp.sent)
    assert str(STAFF_ID) not in telegram.chats()  # no progress in a chat: the page shows it
    assert await actions(core) == [(str(STAFF_ID), "broadcast.send", 5)]


async def test_a_photo_is_uploaded_once_and_goes_to_every_channel(running):
    core, telegram, whatsapp = running
    await add_owners(core.db, 2, first_id=100, eligible=True)
    await add_owners(core.db, 1, first_id=200, channel="whatsapp", eligible=True)
    async with browser(core) as client:
        csrf = await sign_in(client, core)
        refused = await client.post("/staf/pengumuman/pratinjau", data={
            "csrf": csrf, "text": "Jadwal", "audience": "all"},
            files={"file": ("virus.exe", b"MZ\x90\x00", "application/octet-stream")})
        assert refused.status_code == 400 and "Jenis berkas ini tidak bisa dikirim" in refused.text
        assert await core.db.all("SELECT id FROM media") == []
        preview = await client.post("/staf/pengumuman/pratinjau", data={
            "csrf": csrf, "text": "Jadwal _terbaru_", "audience": "all"},
            files={"file": ("../../poster \"final\".png", PNG, "image/png")})
        page = preview.text
        media_id = int(field(page, "media"))
        assert f'<img src="/staf/media/{media_id}"' in page
        image = await client.get(f"/staf/media/{media_id}")
        assert image.content == PNG and image.headers["content-type"] == "image/png"
        changed = await client.post("/staf/pengumuman/baru", data={
            "csrf": csrf, "text": field(page, "text"), "audience": "all", "media": media_id})
        assert "Terlampir: poster _final_.png" in text_of(changed.text)  # the file is kept
        await client.post("/staf/pengumuman/kirim", data={
            "csrf": csrf, "text": field(page, "text"), "audience": "all", "media": media_id,
            "form_key": field(page, "form_key")})
        await drain(core)
    (media,) = await core.db.all("SELECT name, kind, mime, size FROM media")
    assert tuple(media) == ("poster _final_.png", "photo", "image/png", len(PNG))
    replies = [d.reply for d in telegram.sent + whatsapp.sent]
    assert len(replies) == 3
    assert {(r.attachment.media_id, r.attachment.kind) for r in replies} == {(media_id, "photo")}
    assert all(r.text.startswith("Jadwal <i>terbaru</i>") for r in replies)


async def test_an_announcement_is_scheduled_and_cancelled(running):
    core, _telegram, _whatsapp = running
    await add_owners(core.db, 2, eligible=True)
    async with browser(core) as client:
        csrf = await sign_in(client, core)
        page = (await client.post("/staf/pengumuman/pratinjau", data={
            "csrf": csrf, "text": "Besok ada sosialisasi", "audience": "all"})).text
        form = {"csrf": csrf, "text": field(page, "text"), "audience": "all",
                "form_key": field(page, "form_key"), "later": "1"}
        past = await client.post("/staf/pengumuman/kirim", data={**form,
                                                                 "when": "2027-08-01T09:00"})
        assert past.status_code == 400 and "dalam setahun ke depan" in past.text
        done = await client.post("/staf/pengumuman/kirim", data={**form,
                                                                 "when": "2027-09-02T09:00"})
        assert done.headers["location"] == "/staf/pengumuman/1?selesai=scheduled"
        shown = text_of((await client.get("/staf/pengumuman/1")).text)
        assert "Dijadwalkan Kamis, 2 September 2027 pukul 09.00 WIB" in shown
        broadcast = await core.db.broadcasts.get(1)
        assert broadcast.scheduled_for == core.clock() + timedelta(hours=24)
        assert core.scheduler.get_job("broadcast:1") is not None
        cancelled = await client.post("/staf/pengumuman/1/batal", data={"csrf": csrf})
        assert cancelled.headers["location"] == "/staf/pengumuman/1?selesai=cancelled"
        twice = await client.post("/staf/pengumuman/1/batal", data={"csrf": csrf})
        assert "selesai=too_late" in twice.headers["location"]
    assert (await core.db.broadcasts.get(1)).status == "cancelled"
    assert core.scheduler.get_job("broadcast:1") is None
    assert await outbox(core.db) == []
    assert [a for _u, a, _n in await actions(core)] == ["broadcast.schedule", "broadcast.cancel"]


async def test_failures_are_shown_by_name_and_looking_is_audited(running):
    core, _telegram, _whatsapp = running
    await core.sender.stop()  # the test decides what happened to each message
    owners = await add_owners(core.db, 2, eligible=True, answers={"name": "Siti <Aminah>"})
    async with browser(core) as client:
        csrf = await sign_in(client, core)
        page = (await client.post("/staf/pengumuman/pratinjau", data={
            "csrf": csrf, "text": "Halo", "audience": "all"})).text
        await client.post("/staf/pengumuman/kirim", data={
            "csrf": csrf, "text": "Halo", "audience": "all", "form_key": field(page, "form_key")})
        items = await core.db.outbox.claim(["telegram"], core.clock(), 10)
        await core.db.outbox.finish([SendResult(items[0].id, "failed", 3, error="Bad Request: x"),
                                     SendResult(items[1].id, "sent", 1)], core.clock())
        stopped = await client.post("/staf/pengumuman/1/henti", data={"csrf": csrf})
        assert "selesai=too_late" not in stopped.headers["location"]
        report = (await client.get("/staf/pengumuman/1")).text
        assert "?gagal=1" in report and "Bad Request" not in report
        assert "broadcast.failures" not in [a for _u, a, _n in await actions(core)]
        failures = (await client.get("/staf/pengumuman/1?gagal=1")).text
    assert f'<a href="/staf/pendaftar/{owners[0]}">Siti &lt;Aminah&gt;</a>' in failures
    assert "Bad Request: x" in failures
    assert [a for _u, a, _n in await actions(core)] == [
        "broadcast.send", "broadcast.stop", "broadcast.failures"]


async def test_interest_lists_are_opened_invited_to_and_closed(running):
    core, _telegram, _whatsapp = running
    last_year = await add_owners(core.db, 2, first_id=100, eligible=True)
    await add_owners(core.db, 1, first_id=200, eligible=False)
    await add_interest(core.db, 2026, last_year)
    async with browser(core) as client:
        csrf = await sign_in(client, core)
        page = text_of((await client.get("/staf/minat")).text)
        assert "Buka daftar minat 2027" in page and "Buka daftar minat 2028" in page
        await client.post("/staf/minat/2027/buka", data={"csrf": csrf})
        assert (await core.db.interest.get(2027)).is_open
        ask = text_of((await client.get("/staf/minat/2027/undang")).text)
        assert "Undang 3 pelaku usaha ke daftar minat 2027?" in ask
        invited = await client.post("/staf/minat/2027/undang", data={"csrf": csrf})
        assert invited.headers["location"] == "/staf/minat?selesai=invited&jumlah=3"
        assert "3 undangan sedang dikirim." in (await client.get(invited.headers["location"])).text
        await drain(core)
        page = text_of((await client.get("/staf/minat")).text)
        assert re.search(r"2027\s+dibuka\s+0\s+3\s+0\s+0\s+0", page), page
        await client.post("/staf/minat/2027/tutup", data={"csrf": csrf})
        assert not (await core.db.interest.get(2027)).is_open
        closed = await client.get("/staf/minat/2027/undang")
        assert "selesai=not_open" in closed.headers["location"]
        forged = await client.post("/staf/minat/2028/buka", data={"csrf": "forged"})
        assert forged.status_code == 403 and await core.db.interest.get(2028) is None
    assert [(a, n) for _u, a, n in await actions(core)] == [
        ("interest.open", None), ("interest.invite", 3), ("interest.close", None)]
