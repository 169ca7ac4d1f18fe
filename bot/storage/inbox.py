"""Queries for the inbox of webhook messages, their delivery statuses and long choice lists."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.storage import to_db

if TYPE_CHECKING:
    from bot.storage import Database


@dataclass(frozen=True)
class InboxMessage:
    """One message a webhook brought, waiting to be (or already) handled."""

    id: int
    channel: str
    message_id: str
    owner_key: str
    payload: str


@dataclass(frozen=True)
class Status:
    """A delivery status of a message the bot sent."""

    message_id: str
    status: str  # sent | delivered | read | failed
    at: datetime
    recipient: str | None = None
    errors: tuple[dict[str, Any], ...] = ()


class Inbox:
    """Named queries on inbox, message_statuses, choice_pages and owners.address."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def apply(self, channel: str, messages: Sequence[tuple[str, str, str]],
                    statuses: Sequence[Status], handled: Sequence[int],
                    now: datetime) -> list[InboxMessage]:
        """In one transaction: keep new (message id, owner key, payload) rows, keep delivery
        statuses, and mark handled rows (forgetting what they said). A message id or status seen
        before is left as it is. Returns the rows that are new, in order."""
        at = to_db(now)
        status_rows = [(channel, s.message_id, s.status, to_db(s.at), s.recipient,
                        json.dumps(list(s.errors)) if s.errors else None, at) for s in statuses]

        def work(conn: sqlite3.Connection) -> list[InboxMessage]:
            new = []
            for message_id, owner_key, payload in messages:
                cursor = conn.execute(
                    "INSERT OR IGNORE INTO inbox (channel, message_id, owner_key, payload, "
                    "received_at) VALUES (?, ?, ?, ?, ?)",
                    (channel, message_id, owner_key, payload, at))
                if cursor.rowcount:
                    new.append(InboxMessage(int(cursor.lastrowid or 0), channel, message_id,
                                            owner_key, payload))
            if status_rows:
                conn.executemany(
                    "INSERT OR IGNORE INTO message_statuses (channel, message_id, status, at, "
                    "recipient, errors, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)", status_rows)
            if handled:
                conn.execute(
                    f"UPDATE inbox SET handled_at = ?, payload = NULL WHERE id IN "
                    f"({','.join('?' * len(handled))})", (at, *handled))
            return new

        if not (messages or status_rows or handled):
            return []
        return await self.db.atomically(work)

    async def store(self, channel: str, messages: Sequence[tuple[str, str, str]],
                    now: datetime) -> list[InboxMessage]:
        """Keep (message id, owner key, payload) rows; return those that are new."""
        return await self.apply(channel, messages, (), (), now)

    async def done(self, row_id: int, now: datetime) -> None:
        """The message was handled: never again, and forget what it said."""
        await self.apply("", (), (), (row_id,), now)

    async def pending(self, channel: str) -> list[InboxMessage]:
        """Messages stored but not handled (the process stopped first), oldest first."""
        rows = await self.db.all(
            "SELECT id, channel, message_id, owner_key, payload FROM inbox "
            "WHERE channel = ? AND handled_at IS NULL ORDER BY id", (channel,))
        return [InboxMessage(r["id"], r["channel"], r["message_id"], r["owner_key"],
                             r["payload"] or "{}") for r in rows]

    async def forget_before(self, moment: datetime) -> int:
        """Drop handled rows older than `moment` (Meta stops retrying after a few days)."""
        return await self.db.write(
            "DELETE FROM inbox WHERE handled_at IS NOT NULL AND received_at < ?",
            (to_db(moment),))

    async def store_statuses(self, channel: str, statuses: Sequence[Status],
                             now: datetime) -> None:
        """Keep delivery statuses (a repeated one is left as it is)."""
        await self.apply(channel, (), statuses, (), now)

    async def statuses(self, channel: str, message_id: str) -> list[Status]:
        """Every status stored for one sent message, in the order they happened."""
        rows = await self.db.all(
            "SELECT * FROM message_statuses WHERE channel = ? AND message_id = ? ORDER BY at",
            (channel, message_id))
        return [Status(r["message_id"], r["status"], datetime.fromisoformat(r["at"]),
                       r["recipient"], tuple(json.loads(r["errors"])) if r["errors"] else ())
                for r in rows]

    async def save_page(self, token: str, body: str,
                        buttons: Sequence[tuple[str, str, str]], now: datetime) -> None:
        """Keep the choices of a later page of a long list."""
        await self.db.write(
            "INSERT OR REPLACE INTO choice_pages (token, body, buttons, created_at) "
            "VALUES (?, ?, ?, ?)", (token, body, json.dumps([list(b) for b in buttons]),
                                     to_db(now)))

    async def page(self, token: str) -> tuple[str, list[tuple[str, str, str]]] | None:
        """The body and choices of a page kept by `save_page`, if any."""
        row = await self.db.one("SELECT body, buttons FROM choice_pages WHERE token = ?",
                                (token,))
        if row is None:
            return None
        return row["body"], [tuple(b) for b in json.loads(row["buttons"])]  # type: ignore[misc]

    async def remember_address(self, channel: str, external_id: str, address: str) -> bool:
        """Keep the owner's public address (wa_id) beside them; False when no such owner yet."""
        changed = await self.db.write(
            "UPDATE owners SET address = ? WHERE channel = ? AND external_id = ?",
            (address, channel, external_id))
        return changed > 0
