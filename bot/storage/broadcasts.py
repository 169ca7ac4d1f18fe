"""Queries for staff broadcasts: the announcements, their audiences, and owners who opted out."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.audiences import AUDIENCES, VALUED
from bot.storage import from_db, to_db

if TYPE_CHECKING:
    from bot.storage import Database
    from bot.storage.columns import Columns

KIND = "broadcast"  # the outbox kind of every recipient's row
OPEN_STATUSES = ("scheduled", "sending")


@dataclass(frozen=True)
class Audience:
    """Who an announcement goes to: a kind, and for some kinds a value."""

    kind: str
    value: str = ""

    def to_json(self) -> str:
        """As stored in the broadcasts table."""
        return json.dumps({"kind": self.kind, "value": self.value})

    @classmethod
    def from_json(cls, text: str) -> Audience:
        """Read an audience stored by `to_json`."""
        data = json.loads(text)
        return cls(str(data["kind"]), str(data.get("value", "")))

    @property
    def valid(self) -> bool:
        """True when the kind is known and has a value exactly when it needs one."""
        return self.kind in AUDIENCES and bool(self.value) == (self.kind in VALUED)


def audience_sql(audience: Audience, channels: Sequence[str],
                 columns: Columns) -> tuple[str, list[Any]]:
    """A SELECT of the owner ids `audience` covers among owners reachable on `channels`
    (an audience by an answer reads the question `columns` names).

    Every audience is limited to owners who consented, have not blocked the bot and have not
    stopped announcements (by asking the bot, or in their messenger).
    """
    if not audience.valid:
        raise ValueError(f"invalid audience {audience!r}")
    marks = ",".join("?" * len(channels)) or "NULL"
    sql = ("SELECT o.id FROM owners o WHERE o.consent_at IS NOT NULL AND o.blocked_at IS NULL"
           " AND o.marketing_stopped_at IS NULL"
           f" AND o.channel IN ({marks})"
           " AND NOT EXISTS (SELECT 1 FROM announcement_optouts x WHERE x.owner_id = o.id)")
    params: list[Any] = list(channels)
    kind, value = audience.kind, audience.value
    if kind == "eligible":
        sql += " AND o.eligible = 1"
    elif kind == "not_eligible":
        sql += " AND o.finished_at IS NOT NULL AND o.eligible = 0"
    elif kind in ("registered", "waiting"):
        sql += (" AND EXISTS (SELECT 1 FROM registrations r WHERE r.owner_id = o.id"
                " AND r.session_id = ? AND r.status = ?)")
        params += [int(value), kind]
    elif kind == "interest":
        sql += " AND EXISTS (SELECT 1 FROM interest i WHERE i.owner_id = o.id AND i.year = ?)"
        params.append(int(value))
    elif kind in ("product", "kecamatan"):
        question = columns.product if kind == "product" else columns.kecamatan
        sql += (" AND EXISTS (SELECT 1 FROM answers a WHERE a.owner_id = o.id"
                " AND a.question_id = ? AND a.value = ?)")
        params += [question, json.dumps(value, ensure_ascii=False)]
    return sql, params


@dataclass(frozen=True)
class Broadcast:
    """One announcement and where it stands."""

    id: int
    channel: str
    author: str
    chat_id: str
    language: str
    html: str
    file_ref: str
    file_kind: str
    audience: Audience
    status: str
    scheduled_for: datetime | None
    total: int | None
    status_message: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    media_id: int | None = None  # an uploaded file (the web page's), sent by each channel's id

    @property
    def ref(self) -> str:
        """The outbox ref of its recipients' rows."""
        return str(self.id)


def _broadcast(row: Any) -> Broadcast:
    return Broadcast(
        id=row["id"], channel=row["channel"], author=row["author"], chat_id=row["chat_id"],
        language=row["language"], html=row["html"], file_ref=row["file_ref"],
        file_kind=row["file_kind"],
        audience=Audience.from_json(row["audience"]), status=row["status"],
        scheduled_for=from_db(row["scheduled_for"]), total=row["total"],
        status_message=row["status_message"],
        created_at=from_db(row["created_at"]),  # type: ignore[arg-type]
        started_at=from_db(row["started_at"]), finished_at=from_db(row["finished_at"]),
        media_id=row["media_id"],
    )


@dataclass(frozen=True)
class Choice:
    """Something an audience can be narrowed to: a session or an interest list."""

    value: str
    title: str
    when: datetime | None = None


class Broadcasts:
    """Named queries on broadcasts and announcement opt-outs."""

    def __init__(self, db: Database) -> None:
        self.db = db
        # The text of a broadcast never changes, and the sender renders it once per recipient.
        self._content: dict[int, Broadcast] = {}

    async def create(self, *, channel: str, author: str, chat_id: str, language: str, html: str,
                     file_ref: str, file_kind: str, audience: Audience, scheduled_for: datetime,
                     now: datetime, media_id: int | None = None,
                     form_key: str | None = None) -> tuple[Broadcast, bool]:
        """Store a new announcement, waiting to start at `scheduled_for`; and whether it is new.

        A `form_key` already used (the same form sent twice) gives the announcement it made.
        """
        async with self.db.transaction() as conn:
            cursor = await conn.execute("SELECT id FROM broadcasts WHERE form_key = ?",
                                        (form_key,))
            existing = await cursor.fetchone() if form_key else None
            if existing is None:
                cursor = await conn.execute(
                    "INSERT INTO broadcasts (channel, author, chat_id, language, html, file_ref,"
                    " file_kind, audience, status, scheduled_for, created_at, media_id,"
                    " form_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'scheduled', ?, ?, ?, ?)",
                    (channel, author, chat_id, language, html, file_ref, file_kind,
                     audience.to_json(), to_db(scheduled_for), to_db(now), media_id, form_key))
            broadcast_id = int(existing[0] if existing else cursor.lastrowid or 0)
        found = await self.get(broadcast_id)
        assert found is not None
        return found, existing is None

    async def get(self, broadcast_id: int) -> Broadcast | None:
        """The broadcast with this id, if any."""
        row = await self.db.one("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,))
        return _broadcast(row) if row else None

    async def content(self, broadcast_id: int) -> Broadcast | None:
        """Like `get`, cached: for rendering, which only reads the unchanging text."""
        found = self._content.get(broadcast_id)
        if found is None:
            found = await self.get(broadcast_id)
            if found is not None:
                if len(self._content) > 32:
                    self._content.clear()
                self._content[broadcast_id] = found
        return found

    async def in_status(self, statuses: Iterable[str]) -> list[Broadcast]:
        """Broadcasts in any of `statuses`, oldest first."""
        statuses = list(statuses)
        marks = ",".join("?" * len(statuses))
        rows = await self.db.all(
            f"SELECT * FROM broadcasts WHERE status IN ({marks}) ORDER BY id", statuses)
        return [_broadcast(row) for row in rows]

    async def recent(self, limit: int = 10) -> list[Broadcast]:
        """The newest broadcasts first."""
        rows = await self.db.all("SELECT * FROM broadcasts ORDER BY id DESC LIMIT ?", (limit,))
        return [_broadcast(row) for row in rows]

    async def count(self, audience: Audience, channels: Sequence[str]) -> int:
        """How many owners `audience` reaches now."""
        sql, params = audience_sql(audience, channels, self.db.columns)
        row = await self.db.one(f"SELECT count(*) FROM ({sql})", params)
        return int(row[0]) if row else 0

    async def count_by_channel(self, audience: Audience,
                               channels: Sequence[str]) -> dict[str, int]:
        """How many owners `audience` reaches now on each of `channels` (0 where none)."""
        sql, params = audience_sql(audience, channels, self.db.columns)
        rows = await self.db.all(
            f"SELECT channel, count(*) FROM owners WHERE id IN ({sql}) GROUP BY channel", params)
        found = {row[0]: int(row[1]) for row in rows}
        return {channel: found.get(channel, 0) for channel in channels}

    async def count_outside_window(self, audience: Audience, channels: Sequence[str],
                                   channel: str, since: datetime) -> int:
        """How many owners `audience` reaches on `channel` have not written since `since`:
        outside the messaging window, they get the announcement's template."""
        sql, params = audience_sql(audience, channels, self.db.columns)
        row = await self.db.one(
            f"SELECT count(*) FROM owners o WHERE o.id IN ({sql}) AND o.channel = ?"
            " AND NOT EXISTS (SELECT 1 FROM inbox i WHERE i.channel = o.channel"
            " AND i.owner_key = o.chat_id AND i.received_at >= ?)",
            (*params, channel, to_db(since)))
        return int(row[0]) if row else 0

    async def begin(self, broadcast_id: int, now: datetime) -> bool:
        """Move a scheduled broadcast to sending; False when it was cancelled or started."""
        return await self.db.write(
            "UPDATE broadcasts SET status = 'sending', started_at = ? WHERE id = ?"
            " AND status = 'scheduled'", (to_db(now), broadcast_id)) > 0

    async def enqueue(self, broadcast: Broadcast, channels: Sequence[str], now: datetime) -> int:
        """Queue one outbox row per recipient (again after a crash: no row twice); the total."""
        sql, params = audience_sql(broadcast.audience, channels, self.db.columns)
        await self.db.outbox.enqueue_owners(KIND, broadcast.ref, {}, sql, params, now)
        row = await self.db.one("SELECT count(*) FROM outbox WHERE kind = ? AND ref = ?",
                                (KIND, broadcast.ref))
        total = int(row[0]) if row else 0
        await self.db.write("UPDATE broadcasts SET total = ? WHERE id = ?", (total, broadcast.id))
        return total

    async def set_status_message(self, broadcast_id: int, message_id: str | None) -> None:
        """Remember the staff member's progress message, to edit it."""
        await self.db.write("UPDATE broadcasts SET status_message = ? WHERE id = ?",
                            (message_id, broadcast_id))

    async def end(self, broadcast_id: int, status: str, now: datetime) -> bool:
        """Mark a broadcast done, stopped or missed; False when it had ended already."""
        return await self.db.write(
            "UPDATE broadcasts SET status = ?, finished_at = ? WHERE id = ?"
            " AND status IN ('scheduled', 'sending')", (status, to_db(now), broadcast_id)) > 0

    async def cancel(self, broadcast_id: int, now: datetime) -> bool:
        """Cancel a scheduled broadcast; False when it has already started (or ended)."""
        return await self.db.write(
            "UPDATE broadcasts SET status = 'cancelled', finished_at = ? WHERE id = ?"
            " AND status = 'scheduled'", (to_db(now), broadcast_id)) > 0

    async def stop_sending(self, broadcast_id: int) -> int:
        """Withdraw the recipients' rows not sent yet; return how many."""
        return await self.db.outbox.cancel(KIND, str(broadcast_id))

    async def choices(self, kind: str) -> list[Choice]:
        """What a session or interest audience can be narrowed to, newest first."""
        if kind in ("registered", "waiting"):
            rows = await self.db.all(
                "SELECT id, title, starts_at FROM sessions WHERE status != 'cancelled'"
                " ORDER BY starts_at DESC LIMIT 12")
            return [Choice(str(r[0]), r[1], from_db(r[2])) for r in rows]
        if kind == "interest":
            rows = await self.db.all("SELECT year FROM interest_lists ORDER BY year DESC LIMIT 12")
            return [Choice(str(r[0]), str(r[0])) for r in rows]
        raise ValueError(kind)

    async def opt_out(self, owner_id: int, now: datetime) -> bool:
        """Stop announcements to the owner, withdrawing those queued; False if already so."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO announcement_optouts (owner_id, at) VALUES (?, ?)"
                " ON CONFLICT (owner_id) DO NOTHING", (owner_id, to_db(now)))
            await conn.execute(
                "UPDATE outbox SET status = 'cancelled' WHERE owner_id = ? AND kind = ?"
                " AND status = 'queued'", (owner_id, KIND))
            return cursor.rowcount > 0

    async def opt_in(self, owner_id: int) -> bool:
        """Send announcements to the owner again; False if they were not stopped."""
        return await self.db.write(
            "DELETE FROM announcement_optouts WHERE owner_id = ?", (owner_id,)) > 0

    async def opted_out(self, owner_id: int) -> datetime | None:
        """When the owner stopped announcements, if they did."""
        row = await self.db.one("SELECT at FROM announcement_optouts WHERE owner_id = ?",
                                (owner_id,))
        return from_db(row[0]) if row else None
