"""Stored files (uploads from the web page): each channel uploads one once and sends its own id
for it afterwards, to everyone and after a restart; one channel's id never reaches another."""

from __future__ import annotations

import asyncio

from bot.channel import Attachment
from bot.delivery import Rejected
from bot.media import Uploads

PHOTO = b"\x89PNG\r\n\x1a\n-fake-poster"


class Messenger:
    """Stands in for a messenger: gives a file an id the first time it gets its bytes."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.sent: list[tuple[str, bytes]] = []  # (ref, content) of each message
        self.gate: asyncio.Event | None = None
        self.refuse: set[str] = set()

    async def send(self, attachment: Attachment) -> tuple[str, str]:
        if self.gate is not None:
            await self.gate.wait()
        if attachment.ref in self.refuse:
            raise Rejected("wrong file identifier")
        self.sent.append((attachment.ref, attachment.content))
        number = len(self.sent)
        return f"message-{number}", "" if attachment.ref else f"{self.prefix}-{number}"


async def test_a_stored_file_is_uploaded_once_per_channel(core, clock):
    media = await core.db.media.add("poster.png", "photo", "image/png", PHOTO, clock())
    attachment = Attachment(media.name, kind="photo", media_id=media.id, mime=media.mime)
    telegram, whatsapp = Messenger("tg-file"), Messenger("wa-media")
    on_telegram = Uploads(core.db, "telegram", clock)
    on_whatsapp = Uploads(core.db, "whatsapp", clock)
    assert await on_telegram.send(attachment, telegram.send) == "message-1"
    for _ in range(3):
        await on_telegram.send(attachment, telegram.send)
        await on_whatsapp.send(attachment, whatsapp.send)
    assert telegram.sent == [("", PHOTO), ("tg-file-1", b""), ("tg-file-1", b""),
                             ("tg-file-1", b"")]
    assert whatsapp.sent == [("", PHOTO), ("wa-media-1", b""), ("wa-media-1", b"")]
    # After a restart (a new Uploads, the same database) the ids are still known.
    again = Uploads(core.db, "telegram", clock)
    await again.send(attachment, telegram.send)
    assert telegram.sent[-1] == ("tg-file-1", b"")
    assert await core.db.media.ref(media.id, "whatsapp") == "wa-media-1"


async def test_parallel_sends_wait_for_the_first_upload(core, clock):
    media = await core.db.media.add("jadwal.pdf", "document", "application/pdf", b"%PDF-1.4",
                                    clock())
    attachment = Attachment(media.name, media_id=media.id)
    messenger = Messenger("doc")
    messenger.gate = asyncio.Event()
    uploads = Uploads(core.db, "telegram", clock)
    sends = [asyncio.create_task(uploads.send(attachment, messenger.send)) for _ in range(6)]
    await asyncio.sleep(0)
    messenger.gate.set()
    await asyncio.wait_for(asyncio.gather(*sends), 5)
    assert [content for _ref, content in messenger.sent].count(b"%PDF-1.4") == 1
    assert [ref for ref, _content in messenger.sent].count("doc-1") == 5


async def test_a_refused_id_is_forgotten_and_the_file_uploaded_again(core, clock):
    media = await core.db.media.add("poster.png", "photo", "image/png", PHOTO, clock())
    attachment = Attachment(media.name, kind="photo", media_id=media.id)
    messenger = Messenger("wa")
    uploads = Uploads(core.db, "whatsapp", clock)
    await uploads.send(attachment, messenger.send)
    messenger.refuse.add("wa-1")  # e.g. a WhatsApp media id older than 30 days
    await uploads.send(attachment, messenger.send)
    assert messenger.sent == [("", PHOTO), ("", PHOTO)]
    assert await core.db.media.ref(media.id, "whatsapp") == "wa-2"


async def test_an_attachment_that_is_not_stored_is_sent_as_it_is(core, clock):
    messenger = Messenger("tg")
    uploads = Uploads(core.db, "telegram", clock)
    assert await uploads.send(Attachment("a.pdf", content=b"x"), messenger.send) == "message-1"
    assert messenger.sent == [("", b"x")]
    assert await core.db.media.purge_unused(clock()) == 0


async def test_a_file_previewed_but_never_sent_is_deleted_after_two_days(core, clock):
    from datetime import timedelta

    from bot.actions import announcements

    unused = await announcements.upload(core, clock(), "a.png", PHOTO)
    used = await announcements.upload(core, clock(), "b.png", PHOTO)
    await core.db.write("INSERT INTO broadcasts (channel, author, chat_id, language, html,"
                        " audience, status, created_at, media_id) VALUES ('telegram', '1', '',"
                        " 'id', 'x', '{}', 'done', '2027-09-01T02:00:00+00:00', ?)", (used.id,))
    assert await announcements.upload(core, clock(), "c.exe", b"MZ") == "type"
    await announcements.upload(core, clock() + timedelta(days=2, minutes=1), "d.png", PHOTO)
    assert await core.db.media.get(unused.id) is None
    assert await core.db.media.content(unused.id) is None
    assert await core.db.media.content(used.id) == PHOTO
