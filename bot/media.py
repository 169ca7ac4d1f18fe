"""Sending a stored file (an upload from the web page) so that each channel uploads it once.

A file uploaded on the staff web page has no messenger's id; it is stored once (`db.media`) and
an `Attachment` names it by `media_id`. When a channel edge sends such an attachment, it goes
through `Uploads.send`: the first message carries the file's bytes, the edge returns the id its
messenger gave the file, and every later message — to anyone on that channel, after a restart
too — sends that id instead. Ids are kept per channel: a Telegram file_id never goes to WhatsApp.
Sends of one file on one channel wait for its first upload, so a broadcast's parallel workers
upload it once, not once each.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TypeVar
from urllib.parse import unquote

from bot.channel import Attachment
from bot.delivery import Rejected
from bot.storage import Database

log = logging.getLogger(__name__)
T = TypeVar("T")
# Sends the attachment (with its bytes, or by `ref`) and returns what the caller wants back
# and the messenger's id of the file ("" when it gave none).
SendFile = Callable[[Attachment], Awaitable[tuple[T, str]]]


class Uploads:
    """One channel's uploads of stored files."""

    def __init__(self, db: Database, channel: str,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.db = db
        self.channel = channel
        self.clock = clock
        self._locks: dict[int, asyncio.Lock] = {}

    async def send(self, attachment: Attachment, send: SendFile[T]) -> T:
        """Send a stored file: by this channel's id when it has one, else uploaded (once)."""
        media_id = attachment.media_id
        if not media_id:
            result, _ref = await send(attachment)
            return result
        ref = await self.db.media.ref(media_id, self.channel)
        if ref:
            try:
                result, _ref = await send(replace(attachment, ref=ref, content=b""))
                return result
            except Rejected:  # the messenger no longer knows it (an expired media id)
                log.info("stored file %d: %s refused its id; uploading it again", media_id,
                         self.channel)
                await self.db.media.forget(media_id, self.channel)
        lock = self._locks.setdefault(media_id, asyncio.Lock())
        async with lock:
            ref = await self.db.media.ref(media_id, self.channel)
            if ref:  # uploaded by another send while this one waited
                result, _ref = await send(replace(attachment, ref=ref, content=b""))
                return result
            content = attachment.content or await self.db.media.content(media_id)
            if content is None:
                raise Rejected("the stored file is gone")
            result, ref = await send(replace(attachment, content=content, ref=""))
            if ref:
                await self.db.media.remember(media_id, self.channel, ref, self.clock())
            return result


PHOTO_LIMIT = 5 * 1024 * 1024  # WhatsApp's limit for an image (Telegram's is 10 MB)
DOCUMENT_LIMIT = 20 * 1024 * 1024  # kind to owners on little data (Telegram takes 50 MB)
# What owners' phones open: PDF and office files (WhatsApp's document types), by extension.
DOCUMENT_TYPES = {
    "pdf": "application/pdf", "txt": "text/plain",
    "doc": "application/msword", "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_SIGNATURES = {"pdf": (b"%PDF-",), "docx": (b"PK\x03\x04",), "xlsx": (b"PK\x03\x04",),
               "pptx": (b"PK\x03\x04",), "doc": (b"\xd0\xcf\x11\xe0",),
               "xls": (b"\xd0\xcf\x11\xe0",), "ppt": (b"\xd0\xcf\x11\xe0",)}
_UNSAFE = re.compile(r"[^\w .()+-]", re.UNICODE)


@dataclass(frozen=True)
class Upload:
    """A file staff uploaded, checked: a JPEG or PNG photo, or a document owners can open."""

    name: str
    kind: str  # photo or document
    mime: str
    content: bytes


def clean_name(name: str) -> str:
    """A file name safe to show and to send: no folders, no odd characters, not too long."""
    # Browsers send a quote in a file name as %22 (the multipart header cannot hold it).
    base = unquote(name).replace("\\", "/").rsplit("/", 1)[-1].strip()
    base = _UNSAFE.sub("_", base).strip(" .")
    stem, dot, extension = base.rpartition(".")
    if dot and len(base) > 80:
        base = f"{stem[:70]}.{extension[:9]}"
    return base[:80] or "lampiran"


def check_upload(name: str, content: bytes) -> Upload | str:
    """The upload as a photo or document, or why it is refused: "empty", "too_big", "type"."""
    if not content:
        return "empty"
    name = clean_name(name)
    if content.startswith(b"\xff\xd8\xff") or content.startswith(b"\x89PNG\r\n\x1a\n"):
        if len(content) > PHOTO_LIMIT:
            return "too_big"
        mime = "image/jpeg" if content.startswith(b"\xff\xd8") else "image/png"
        return Upload(name, "photo", mime, content)
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    if extension not in DOCUMENT_TYPES or not content.startswith(
            _SIGNATURES.get(extension, (b"",))):
        return "type"
    if len(content) > DOCUMENT_LIMIT:
        return "too_big"
    return Upload(name, "document", DOCUMENT_TYPES[extension], content)
