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
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import TypeVar

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
