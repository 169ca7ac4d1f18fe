"""Queries on the outbox: enqueue (once per kind, ref and chat), claim, finish, recover, count."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.storage import to_db

if TYPE_CHECKING:
    from bot.storage import Database

PRIORITY_NOTICE = 1  # answers to something the owner did (a seat freed, a session moved)
PRIORITY_REMINDER = 3
PRIORITY_BULK = 5  # broadcasts and invitations


@dataclass(frozen=True)
class Item:
    """One claimed outbox row, ready to be rendered and sent."""

    id: int
    owner_id: int | None
    channel: str
    chat_id: str
    kind: str
    ref: str
    payload: Mapping[str, Any]
    attempts: int
    resent: bool
    language: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What happened to one claimed row."""

    id: int
    status: str  # "sent", "queued" (try again at not_before), "blocked", "failed", "skipped"
    attempts: int
    not_before: datetime | None = None
    error: str | None = None
    maybe_delivered: bool = False  # an earlier try may have arrived: count it as resent


class Outbox:
    """Named queries on the outbox table."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def enqueue_owners(self, kind: str, ref: str, payload: Mapping[str, Any],
                             owners_sql: str, params: Sequence[Any], now: datetime,
                             *, not_before: datetime | None = None,
                             priority: int = PRIORITY_BULK) -> int:
        """Queue one message for every owner id `owners_sql` selects; return how many are new.

        `owners_sql` is a SELECT of owner ids written by a storage repository. Owners that
        already have a row for this kind and ref are left alone, so enqueueing twice is safe.
        """
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT OR IGNORE INTO outbox (owner_id, channel, chat_id, kind, ref, payload,"
                " priority, not_before, created_at)"
                f" SELECT o.id, o.channel, o.chat_id, ?, ?, ?, ?, ?, ? FROM owners o"
                f" WHERE o.id IN ({owners_sql}) AND o.blocked_at IS NULL",
                (kind, ref, json.dumps(payload, ensure_ascii=False), priority,
                 to_db(not_before or now), to_db(now), *params),
            )
            return cursor.rowcount

    async def enqueue(self, owner_id: int, kind: str, ref: str, payload: Mapping[str, Any],
                      now: datetime, *, not_before: datetime | None = None,
                      priority: int = PRIORITY_NOTICE) -> bool:
        """Queue one message for one owner; False when it was queued before."""
        return await self.enqueue_owners(kind, ref, payload, "?", (owner_id,), now,
                                         not_before=not_before, priority=priority) > 0

    async def recover(self) -> int:
        """Put rows left "sending" by a crash back in the queue; return how many."""
        return await self.db.write(
            "UPDATE outbox SET status = 'queued', resent = 1 WHERE status = 'sending'"
        )

    async def claim(self, channels: Iterable[str], now: datetime, limit: int) -> list[Item]:
        """Mark up to `limit` due rows as sending and return them, with each owner's language."""
        channels = list(channels)
        if not channels or limit <= 0:
            return []
        marks = ",".join("?" * len(channels))
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE outbox SET status = 'sending' WHERE id IN ("
                f" SELECT id FROM outbox WHERE status = 'queued' AND channel IN ({marks})"
                " AND not_before <= ? ORDER BY priority, not_before, id LIMIT ?)"
                " RETURNING id, owner_id, channel, chat_id, kind, ref, payload, attempts, resent,"
                " (SELECT language FROM owners WHERE owners.id = outbox.owner_id)",
                (*channels, to_db(now), limit),
            )
            rows = await cursor.fetchall()
        items = [
            Item(id=r[0], owner_id=r[1], channel=r[2], chat_id=r[3], kind=r[4], ref=r[5],
                 payload=json.loads(r[6]), attempts=r[7], resent=bool(r[8]), language=r[9])
            for r in rows
        ]
        items.sort(key=lambda item: item.id)
        return items

    async def finish(self, outcomes: Sequence[Outcome], now: datetime) -> None:
        """Record what happened to claimed rows, in one transaction."""
        if not outcomes:
            return
        async with self.db.transaction() as conn:
            await conn.executemany(
                "UPDATE outbox SET status = ?, attempts = ?, last_error = ?,"
                " not_before = COALESCE(?, not_before), resent = max(resent, ?),"
                " sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END WHERE id = ?",
                [(o.status, o.attempts, o.error,
                  to_db(o.not_before) if o.not_before else None, int(o.maybe_delivered),
                  o.status, to_db(now), o.id)
                 for o in outcomes],
            )

    async def next_due(self, channels: Iterable[str]) -> datetime | None:
        """When the earliest queued row for these channels may be sent."""
        channels = list(channels)
        if not channels:
            return None
        marks = ",".join("?" * len(channels))
        row = await self.db.one(
            f"SELECT min(not_before) FROM outbox WHERE status = 'queued'"
            f" AND channel IN ({marks})", channels)
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    async def counts(self, kind: str, ref: str) -> dict[str, int]:
        """How many rows of this kind and ref are in each status (and how many were resent)."""
        rows = await self.db.all(
            "SELECT status, count(*), sum(resent) FROM outbox WHERE kind = ? AND ref = ?"
            " GROUP BY status", (kind, ref))
        counts = {row[0]: row[1] for row in rows}
        counts["resent"] = sum(row[2] or 0 for row in rows)
        return counts

    async def counts_by_channel(self, kind: str, ref: str) -> dict[str, dict[str, int]]:
        """Per channel, what `counts` says: rows in each status, and how many were resent."""
        rows = await self.db.all(
            "SELECT channel, status, count(*), sum(resent) FROM outbox WHERE kind = ?"
            " AND ref = ? GROUP BY channel, status", (kind, ref))
        found: dict[str, dict[str, int]] = {}
        for channel, status, count, resent in rows:
            counts = found.setdefault(channel, {"resent": 0})
            counts[status] = count
            counts["resent"] += resent or 0
        return found

    async def failures(self, kind: str, ref: str, limit: int = 50) -> list[tuple[int | None, str]]:
        """(owner id, reason) of the rows that failed."""
        rows = await self.db.all(
            "SELECT owner_id, coalesce(last_error, '') FROM outbox WHERE kind = ? AND ref = ?"
            " AND status = 'failed' ORDER BY id LIMIT ?", (kind, ref, limit))
        return [(row[0], row[1]) for row in rows]

    async def cancel(self, kind: str, ref: str, owner_id: int | None = None) -> int:
        """Cancel rows not sent yet (all of this kind and ref, or one owner's)."""
        if owner_id is None:
            return await self.db.write(
                "UPDATE outbox SET status = 'cancelled' WHERE kind = ? AND ref = ?"
                " AND status = 'queued'", (kind, ref))
        return await self.db.write(
            "UPDATE outbox SET status = 'cancelled' WHERE kind = ? AND ref = ? AND owner_id = ?"
            " AND status = 'queued'", (kind, ref, owner_id))
