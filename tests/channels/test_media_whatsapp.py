"""A file uploaded on the web page goes out over the real WhatsApp edge (pywa against the fake
Graph API): uploaded to WhatsApp's media endpoint once, then sent by that media id to everyone."""

from __future__ import annotations

from bot.actions import Actor, announcements
from bot.actions.announcements import Draft
from bot.storage.broadcasts import Audience
from tests.support.clock import Clock
from tests.support.population import add_owners
from tests.support.wabot import whatsapp_bot

POSTER = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
STAFF = Actor("whatsapp", "ID.staff-1", "6281200000001")


async def test_an_uploaded_photo_goes_to_whatsapp_once_then_by_its_media_id(tmp_path):
    clock = Clock()
    async with whatsapp_bot(tmp_path, clock=clock) as (graph, bot):
        core = bot.core
        await add_owners(core.db, 3, first_id=6281300000001, channel="whatsapp", eligible=True)
        media = await core.db.media.add("poster.png", "photo", "image/png", POSTER, clock())
        done = await announcements.send_now(
            core, STAFF, clock(), Draft("*Pelatihan ekspor* dibuka!", Audience("all"),
                                        media_id=media.id), language="id")
        assert done.count == 3

        def images():
            return [s for s in graph.sent if s.kind == "image"]

        await graph.wait_for(lambda: len(images()) == 3)
        uploads = [r for r in graph.requests if r.method == "POST" and r.path.endswith("/media")]
        assert len(uploads) == 1
        (uploaded,) = {s.media_id for s in images()}
        assert graph.media[uploaded] == (POSTER, "image/png")
        assert await core.db.media.ref(media.id, "whatsapp") == uploaded
        assert all("*Pelatihan ekspor* dibuka!" in s.body for s in images())  # WhatsApp's markup
