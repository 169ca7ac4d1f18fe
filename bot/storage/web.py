"""Queries of the staff web page: one-time login links and the sessions they open.

Tokens never reach this module: callers pass their SHA-256 hashes, so neither the database nor
a backup of it can open a session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.config import staff_identity
from bot.storage import from_db, to_db

if TYPE_CHECKING:
    from bot.storage import Database

KEEP = timedelta(days=2)  # ended sessions and spent links are deleted after this


@dataclass(frozen=True)
class StaffId:
    """A staff member as the chat knows them: the channel, their user id on it, and the public
    address that names them in config where the channel has one (WhatsApp's number)."""

    channel: str
    user_id: str
    address: str = ""

    @property
    def identity(self) -> str:
        """The identity as config.toml writes it: "telegram:123456789"."""
        return staff_identity(self.channel, self.address or self.user_id)


@dataclass(frozen=True)
class WebSession:
    """A signed-in staff member's session on the web page."""

    staff: StaffId
    csrf: str
    language: str
    created_at: datetime
    last_seen_at: datetime
    search: str = ""  # the applicants search: names stay out of URLs and logs


class Web:
    """Named queries on web_links and web_sessions."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def add_link(self, token_hash: str, staff: StaffId, language: str, now: datetime,
                       expires_at: datetime) -> None:
        """Store a new login link (its hash) for `staff`, whose pages are in `language`."""
        await self.db.write(
            "INSERT INTO web_links (token_hash, channel, user_id, address, language, created_at,"
            " expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (token_hash, staff.channel, staff.user_id, staff.address, language, to_db(now),
             to_db(expires_at)))

    async def links_since(self, staff: StaffId, since: datetime) -> int:
        """How many login links `staff` was given from `since` on."""
        row = await self.db.one(
            "SELECT count(*) FROM web_links WHERE channel = ? AND user_id = ?"
            " AND created_at >= ?", (staff.channel, staff.user_id, to_db(since)))
        return int(row[0]) if row else 0

    async def link(self, token_hash: str, now: datetime) -> StaffId | None:
        """Whose link this is, while it is unused and not expired."""
        row = await self.db.one(
            "SELECT channel, user_id, address FROM web_links WHERE token_hash = ?"
            " AND used_at IS NULL AND expires_at > ?", (token_hash, to_db(now)))
        return StaffId(row[0], row[1], row[2]) if row else None

    async def use_link(self, token_hash: str, now: datetime) -> tuple[StaffId, str] | None:
        """Spend the link (once: a second use finds nothing); whose it was, and their language."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE web_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL"
                " AND expires_at > ? RETURNING channel, user_id, address, language",
                (to_db(now), token_hash, to_db(now)))
            row = await cursor.fetchone()
        return (StaffId(row[0], row[1], row[2]), row[3]) if row else None

    async def start_session(self, token_hash: str, staff: StaffId, csrf: str, language: str,
                            now: datetime) -> None:
        """Store a new session (its hash)."""
        await self.db.write(
            "INSERT INTO web_sessions (token_hash, channel, user_id, address, csrf, language,"
            " created_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (token_hash, staff.channel, staff.user_id, staff.address, csrf, language, to_db(now),
             to_db(now)))

    async def session(self, token_hash: str) -> WebSession | None:
        """The session with this hash, unless it has ended."""
        row = await self.db.one(
            "SELECT channel, user_id, address, csrf, language, created_at, last_seen_at, search"
            " FROM web_sessions"
            " WHERE token_hash = ? AND ended_at IS NULL", (token_hash,))
        if row is None:
            return None
        return WebSession(StaffId(row[0], row[1], row[2]), row[3], row[4],
                          from_db(row[5]), from_db(row[6]), row[7])  # type: ignore[arg-type]

    async def touch(self, token_hash: str, now: datetime) -> None:
        """The session was used just now (it ends after enough idle time)."""
        await self.db.write("UPDATE web_sessions SET last_seen_at = ? WHERE token_hash = ?",
                            (to_db(now), token_hash))

    async def set_language(self, token_hash: str, language: str) -> None:
        """Show the session's pages in `language` from now on."""
        await self.db.write("UPDATE web_sessions SET language = ? WHERE token_hash = ?",
                            (language, token_hash))

    async def set_search(self, token_hash: str, search: str) -> None:
        """Remember what the session searches the applicants for ("" to stop)."""
        await self.db.write("UPDATE web_sessions SET search = ? WHERE token_hash = ?",
                            (search, token_hash))

    async def end_session(self, token_hash: str, now: datetime) -> bool:
        """End the session (logout); False when it had ended already."""
        return await self.db.write(
            "UPDATE web_sessions SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL",
            (to_db(now), token_hash)) > 0

    async def purge(self, now: datetime, idle: timedelta) -> int:
        """Delete spent or expired links and sessions ended or idle long ago; how many."""
        before = to_db(now - KEEP)
        async with self.db.transaction() as conn:
            links = await conn.execute("DELETE FROM web_links WHERE expires_at < ?", (before,))
            sessions = await conn.execute(
                "DELETE FROM web_sessions WHERE coalesce(ended_at, ?) < ? OR last_seen_at < ?",
                (to_db(now), before, to_db(now - idle - KEEP)))
            return links.rowcount + sessions.rowcount
