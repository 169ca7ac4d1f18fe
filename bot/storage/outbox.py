"""Queries on the outbox: enqueue (once per kind, ref and chat), claim, finish, recover, count;
and what status webhooks say about the rows sent (`deliveries`, `apply_statuses`)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.storage import from_db, to_db

if TYPE_CHECKING:
    from bot.storage import Database

PRIORITY_NOTICE = 1  # answers to something the owner did (a seat freed, a session moved)
PRIORITY_REMINDER = 3
PRIORITY_BULK = 5  # broadcasts and invitations
# Kinds that are marketing (announcements, invitations): withdrawn for an owner who stopped
# marketing messages in their messenger.
MARKETING_KINDS = ("broadcast", "invitation")
WAITING_NO_TEMPLATE = "no_template"  # outside the window, and no template for the kind
WAITING_DAILY_LIMIT = "daily_limit"  # the messenger's daily reach is used up
_RANK = ("CASE delivery WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3"
         " WHEN 'failed' THEN 4 ELSE 0 END")
RANKS = {"sent": 1, "delivered": 2, "read": 3, "failed": 4}


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
    last_inbound: datetime | None = None  # the owner's newest message on the channel, if kept
    forced_template: bool = False  # failed as outside the window: send its template now


@dataclass(frozen=True)
class SendResult:
    """What one attempt to send a claimed row came to (the row's new status)."""

    id: int
    status: str  # "sent", "queued" (try again at not_before), "blocked", "failed", "skipped"
    attempts: int
    not_before: datetime | None = None
    error: str | None = None
    maybe_delivered: bool = False  # an earlier try may have arrived: count it as resent
    message_id: str | None = None  # the messenger's id of what was sent
    via: str | None = None  # "text" (the normal message) or "template"
    waiting: str | None = None  # why a queued row waits (WAITING_*), None when only for time
    force_template: bool = False  # send it again as its template (it failed outside the window)


@dataclass(frozen=True)
class StatusUpdate:
    """What a messenger says happened to a message it accepted."""

    message_id: str
    status: str  # sent | delivered | read | failed
    reason: str = ""  # a failure's reason: window, unreachable, marketing, rate, other:<code>


@dataclass(frozen=True)
class Applied:
    """What status updates changed: rows to send again, owners gone or off marketing."""

    requeued: int = 0
    unreachable: tuple[int, ...] = ()
    stopped_marketing: tuple[int, ...] = ()


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

        def work(conn: sqlite3.Connection) -> list[Any]:
            ids = [row[0] for row in conn.execute(
                "UPDATE outbox SET status = 'sending' WHERE id IN ("
                f" SELECT id FROM outbox WHERE status = 'queued' AND channel IN ({marks})"
                " AND not_before <= ? ORDER BY priority, not_before, id LIMIT ?) RETURNING id",
                (*channels, to_db(now), limit))]
            if not ids:
                return []
            # Read in a second statement, not in RETURNING: SQLite (3.40) runs a correlated
            # subquery there without the index, a scan of the inbox per row (157 ms for a
            # batch of 250 against 5,000 inbox rows, instead of 2 ms), holding the
            # database's lock meanwhile.
            return conn.execute(
                "SELECT id, owner_id, channel, chat_id, kind, ref, payload, attempts, resent,"
                " (SELECT language FROM owners WHERE owners.id = outbox.owner_id),"
                " (SELECT max(received_at) FROM inbox i WHERE i.channel = outbox.channel"
                "  AND i.owner_key = outbox.chat_id), forced_template"
                f" FROM outbox WHERE id IN ({','.join('?' * len(ids))}) ORDER BY id",
                ids).fetchall()

        rows = await self.db.atomically(work)
        return [
            Item(id=r[0], owner_id=r[1], channel=r[2], chat_id=r[3], kind=r[4], ref=r[5],
                 payload=json.loads(r[6]), attempts=r[7], resent=bool(r[8]), language=r[9],
                 last_inbound=from_db(r[10]), forced_template=bool(r[11]))
            for r in rows
        ]

    async def finish(self, outcomes: Sequence[SendResult], now: datetime,
                     channel: str | None = None) -> Applied:
        """Record what happened to claimed rows, in one transaction. Status webhooks about a
        message sent on `channel` that arrived before this (the messenger can be that quick)
        are applied now; what they changed is returned."""
        if not outcomes:
            return Applied()
        rows = [(o.status, o.attempts, o.error, to_db(o.not_before) if o.not_before else None,
                 int(o.maybe_delivered), o.status, to_db(now), o.message_id, o.via, o.waiting,
                 int(o.force_template), o.id) for o in outcomes]
        sent = [o.message_id for o in outcomes if o.message_id]

        def work(conn: sqlite3.Connection) -> Applied:
            conn.executemany(
                "UPDATE outbox SET status = ?, attempts = ?, last_error = ?,"
                " not_before = COALESCE(?, not_before), resent = max(resent, ?),"
                " sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END,"
                " message_id = COALESCE(?, message_id), via = COALESCE(?, via), waiting = ?,"
                " forced_template = max(forced_template, ?) WHERE id = ?", rows)
            if not sent or channel is None:
                return Applied()
            early = conn.execute(
                f"SELECT message_id, status, coalesce(reason, '') FROM message_statuses"
                f" WHERE channel = ? AND message_id IN ({','.join('?' * len(sent))})",
                (channel, *sent)).fetchall()
            updates = sorted((StatusUpdate(*row) for row in early),
                             key=lambda u: RANKS.get(u.status, 0))
            return apply_statuses(conn, channel, updates, now) if updates else Applied()

        return await self.db.atomically(work)

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
        """(owner id, reason) of the rows that failed, and of those the messenger accepted but
        could not deliver (reason "delivery:<why>", from its status webhooks)."""
        rows = await self.db.all(
            "SELECT owner_id, CASE WHEN status = 'failed' THEN coalesce(last_error, '')"
            " ELSE 'delivery:' || coalesce(failure, 'other') END FROM outbox"
            " WHERE kind = ? AND ref = ? AND (status = 'failed' OR delivery = 'failed')"
            " ORDER BY id LIMIT ?", (kind, ref, limit))
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

    async def withdraw_marketing(self, owner_id: int) -> int:
        """Cancel the owner's queued announcements and invitations (they stopped marketing)."""
        marks = ",".join("?" * len(MARKETING_KINDS))
        return await self.db.write(
            f"UPDATE outbox SET status = 'cancelled' WHERE owner_id = ? AND status = 'queued'"
            f" AND kind IN ({marks})", (owner_id, *MARKETING_KINDS))

    # ------------------------------------------------------------ the window and the reach

    async def reached(self, channel: str, since: datetime) -> list[tuple[str, datetime]]:
        """(chat, first time) of every chat sent a template on `channel` since `since`: the
        messenger's daily reach used so far (unique people in a rolling 24 hours)."""
        rows = await self.db.all(
            "SELECT chat_id, min(sent_at) FROM outbox WHERE via = 'template' AND channel = ?"
            " AND sent_at >= ? GROUP BY chat_id", (channel, to_db(since)))
        return [(row[0], datetime.fromisoformat(row[1])) for row in rows]

    async def waiting(self, kind: str, ref: str) -> dict[str, tuple[int, datetime | None]]:
        """Rows of this kind and ref queued for a reason: (how many, the earliest next try)."""
        rows = await self.db.all(
            "SELECT waiting, count(*), min(not_before) FROM outbox WHERE kind = ? AND ref = ?"
            " AND status = 'queued' AND waiting IS NOT NULL GROUP BY waiting", (kind, ref))
        return {row[0]: (int(row[1]), from_db(row[2])) for row in rows}

    async def deliveries(self, kind: str, ref: str) -> dict[str, dict[str, int]]:
        """Per channel, what status webhooks said of the rows sent: "delivered" (or read),
        "read", and "failed:<reason>" for each reason of a failed delivery."""
        rows = await self.db.all(
            "SELECT channel, delivery, failure, count(*) FROM outbox WHERE kind = ? AND ref = ?"
            " AND delivery IS NOT NULL GROUP BY channel, delivery, failure", (kind, ref))
        found: dict[str, dict[str, int]] = {}
        for channel, delivery, failure, count in rows:
            counts = found.setdefault(channel, {"delivered": 0, "read": 0})
            if delivery in ("delivered", "read"):
                counts["delivered"] += count
            if delivery == "read":
                counts["read"] += count
            if delivery == "failed":
                key = f"failed:{failure or 'other'}"
                counts[key] = counts.get(key, 0) + count
        return found


def apply_statuses(conn: sqlite3.Connection, channel: str, updates: Sequence[StatusUpdate],
                   now: datetime) -> Applied:
    """Within an open transaction, note what status webhooks said of sent rows (matched by the
    messenger's message id); a later status never goes back to an earlier one.

    A free-form message that failed as outside the window goes back in the queue to be sent as
    its template (once); an owner the message could not reach is marked as gone (as a Telegram
    block is); one who stopped marketing messages gets no more announcements or invitations,
    and those queued for them are withdrawn.
    """
    at = to_db(now)
    requeued = 0
    unreachable: list[int] = []
    stopped: list[int] = []
    for update in updates:
        rank = RANKS.get(update.status)
        if rank is None:
            continue
        if update.status != "failed":
            conn.execute(f"UPDATE outbox SET delivery = ? WHERE message_id = ? AND channel = ?"
                         f" AND {_RANK} < ?", (update.status, update.message_id, channel, rank))
            continue
        row = conn.execute(
            "SELECT id, owner_id, via, forced_template FROM outbox WHERE message_id = ?"
            " AND channel = ?", (update.message_id, channel)).fetchone()
        if row is None:
            continue
        row_id, owner_id, via, forced = row
        if update.reason == "window" and via == "text" and not forced:
            conn.execute(
                "UPDATE outbox SET status = 'queued', forced_template = 1, not_before = ?,"
                " delivery = NULL, failure = NULL, message_id = NULL, waiting = NULL,"
                " last_error = 'outside the 24-hour window: sent again as its template'"
                " WHERE id = ?", (at, row_id))
            requeued += 1
            continue
        conn.execute("UPDATE outbox SET delivery = 'failed', failure = ? WHERE id = ?",
                     (update.reason or "other", row_id))
        if owner_id is None:
            continue
        if update.reason == "unreachable":
            conn.execute("UPDATE owners SET blocked_at = ? WHERE id = ? AND blocked_at IS NULL",
                         (at, owner_id))
            unreachable.append(owner_id)
        elif update.reason == "marketing":
            conn.execute("UPDATE owners SET marketing_stopped_at = ? WHERE id = ?"
                         " AND marketing_stopped_at IS NULL", (at, owner_id))
            marks = ",".join("?" * len(MARKETING_KINDS))
            conn.execute(f"UPDATE outbox SET status = 'cancelled' WHERE owner_id = ?"
                         f" AND status = 'queued' AND kind IN ({marks})",
                         (owner_id, *MARKETING_KINDS))
            stopped.append(owner_id)
    return Applied(requeued, tuple(unreachable), tuple(stopped))


def release_held(conn: sqlite3.Connection, channel: str, chats: Sequence[str],
                 now: datetime) -> int:
    """Within an open transaction: these owners just wrote (their window is open), so rows held
    for them (no template, or the daily reach) may go now, as normal messages."""
    if not chats:
        return 0
    marks = ",".join("?" * len(chats))
    cursor = conn.execute(
        f"UPDATE outbox SET waiting = NULL, not_before = ? WHERE channel = ?"
        f" AND chat_id IN ({marks}) AND waiting IS NOT NULL AND status = 'queued'",
        (to_db(now), channel, *chats))
    return cursor.rowcount


def reach_horizon(now: datetime) -> datetime:
    """Since when sent templates count towards the daily reach: the last 24 hours."""
    return now - timedelta(hours=24)
