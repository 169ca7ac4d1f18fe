"""A file uploaded on the web page goes out over the real Telegram edge: uploaded with the first
announcement, then sent by the file_id Telegram gave it; after a restart too."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.actions import Actor, announcements
from bot.actions.announcements import Draft
from bot.broadcasting import announcement
from bot.i18n import Catalogs
from bot.storage.broadcasts import Audience, Broadcast
from tests.support.clock import Clock
from tests.support.config import STAFF_ID
from tests.support.fakebotapi import FakeBotAPI, UploadedFile
from tests.support.harness import running_bot, telegram_config
from tests.support.population import add_owners

POSTER = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
FIRST = 30_000


async def test_an_uploaded_photo_goes_to_telegram_once_then_by_its_file_id(tmp_path):
    clock = Clock()
    async with FakeBotAPI() as fake:
        config = telegram_config(tmp_path, fake, "[broadcast]\nprogress_every_s = 0.5\n")
        async with running_bot(fake, config, clock=clock) as channel:
            core = channel.core
            await add_owners(core.db, 5, first_id=FIRST, eligible=True)
            media = await core.db.media.add("poster.png", "photo", "image/png", POSTER, clock())
            web = Actor("telegram", str(STAFF_ID))
            draft = Draft("<b>Pelatihan ekspor</b> dibuka!", Audience("all"), media_id=media.id)
            done = await announcements.send_now(core, web, clock(), draft, language="id")
            assert done.count == 5
            for chat in range(FIRST, FIRST + 5):
                await fake.wait_for(lambda r, c=chat: r.method == "sendPhoto" and r.chat_id == c,
                                    timeout=10)
            photos = fake.calls("sendPhoto")
            uploads = [r for r in photos if isinstance(r.params["photo"], UploadedFile)]
            assert len(uploads) == 1 and bytes(uploads[0].params["photo"]) == POSTER
            file_id = await core.db.media.ref(media.id, "telegram")
            assert file_id.startswith("fake-photo-")
            assert sorted(r.params["photo"] for r in photos if r not in uploads) == [file_id] * 4
            assert all("<b>Pelatihan ekspor</b> dibuka!" in r.params["caption"] for r in photos)
            assert not fake.calls("sendMessage", STAFF_ID)  # a web announcement: no chat report
        fake.clear()
        async with running_bot(fake, config, clock=clock) as channel:  # the bot restarted
            core = channel.core
            await add_owners(core.db, 1, first_id=FIRST + 10, eligible=True)
            again = await announcements.send_now(
                core, web, clock(), Draft("Lagi", Audience("all"), media_id=media.id),
                language="id")
            assert again.count == 6
            await fake.wait_for(lambda r: r.method == "sendPhoto" and r.chat_id == FIRST + 10,
                                timeout=10)
            assert not [r for r in fake.calls("sendPhoto")
                        if isinstance(r.params["photo"], UploadedFile)]


def test_a_photo_sent_in_the_chat_goes_to_its_own_channel_only():
    tr = Catalogs(ZoneInfo("Asia/Jakarta")).get("id")
    now = datetime(2027, 9, 1, tzinfo=UTC)
    broadcast = Broadcast(7, "telegram", "1", "1", "id", "Jadwal", "AgAC-telegram-id", "photo",
                          Audience("all"), "sending", None, None, None, now, None, None)
    assert announcement(broadcast, tr, channel="telegram").attachment.ref == "AgAC-telegram-id"
    assert announcement(broadcast, tr).attachment is not None  # the author's preview
    on_whatsapp = announcement(broadcast, tr, channel="whatsapp")
    assert on_whatsapp.attachment is None and on_whatsapp.text.startswith("Jadwal")
