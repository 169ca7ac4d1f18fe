"""Queries on uploaded files (media) and each channel's own id for them (media_refs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.storage import from_db, to_db

if TYPE_CHECKING:
    from bot.storage import Database

KINDS = ("photo", "document")


@dataclass(frozen=True)
class Media:
    """An uploaded file, without its bytes."""

    id: int
    name: str
    kind: str  # photo or document
    mime: str
    size: int
    created_at: datetime


class MediaFiles:
    """Named queries on media and media_refs."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._known: dict[int, Media] = {}  # rows never change: the sender asks once per file

    async def add(self, name: str, kind: str, mime: str, content: bytes, now: datetime) -> Media:
        """Store an uploaded file once; its id names it from then on."""
        if kind not in KINDS:
            raise ValueError(f"unknown media kind {kind!r}")
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO media (name, kind, mime, size, content, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)", (name, kind, mime, len(content), content,
                                                to_db(now)))
            media_id = int(cursor.lastrowid or 0)
        return Media(media_id, name, kind, mime, len(content), now)

    async def get(self, media_id: int) -> Media | None:
        """The file's name, kind and size (not its bytes)."""
        found = self._known.get(media_id)
        if found is None:
            row = await self.db.one(
                "SELECT id, name, kind, mime, size, created_at FROM media WHERE id = ?",
                (media_id,))
            if row is None:
                return None
            found = Media(row[0], row[1], row[2], row[3], row[4],
                          from_db(row[5]))  # type: ignore[arg-type]
            if len(self._known) > 64:
                self._known.clear()
            self._known[media_id] = found
        return found

    async def content(self, media_id: int) -> bytes | None:
        """The file's bytes."""
        row = await self.db.one("SELECT content FROM media WHERE id = ?", (media_id,))
        return bytes(row[0]) if row else None

    async def ref(self, media_id: int, channel: str) -> str:
        """The channel's own id of the file, once it uploaded it ("" before)."""
        row = await self.db.one("SELECT ref FROM media_refs WHERE media_id = ? AND channel = ?",
                                (media_id, channel))
        return str(row[0]) if row else ""

    async def remember(self, media_id: int, channel: str, ref: str, now: datetime) -> None:
        """Keep the channel's id of the file it just uploaded."""
        await self.db.write(
            "INSERT INTO media_refs (media_id, channel, ref, created_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (media_id, channel) DO UPDATE SET ref = excluded.ref,"
            " created_at = excluded.created_at", (media_id, channel, ref, to_db(now)))

    async def forget(self, media_id: int, channel: str) -> None:
        """The channel no longer knows its id of the file (expired): upload it again."""
        await self.db.write("DELETE FROM media_refs WHERE media_id = ? AND channel = ?",
                            (media_id, channel))

    async def purge_unused(self, before: datetime) -> int:
        """Delete files uploaded before `before` that no announcement uses; how many."""
        self._known.clear()
        return await self.db.write(
            "DELETE FROM media WHERE created_at < ?"
            " AND id NOT IN (SELECT media_id FROM broadcasts WHERE media_id IS NOT NULL)",
            (to_db(before),))
