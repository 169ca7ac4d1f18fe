"""Queries on training sessions: create, seed from config, edit, move, close, reopen, cancel.

Who holds the seats is `registrations.py` (`db.registrations`); a change of capacity or a
reopening moves the seats in the same transaction (`seats.py`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.session_rules import ACTIVE, SIGN_UP
from bot.storage import from_db, to_db
from bot.storage.seats import promote, sync_status

if TYPE_CHECKING:
    from bot.storage import Database

SESSION_COLUMNS = ("s.id, s.key, s.title, s.starts_at, s.place, s.capacity, s.year, s.status,"
                    " coalesce(s.start_set_at, s.created_at), s.created_at, s.updated_at")


@dataclass(frozen=True)
class Session:
    """One training session."""

    id: int
    key: str | None
    title: str
    starts_at: datetime
    place: str
    capacity: int
    year: int
    status: str
    start_set_at: datetime  # when it got its current start time (created or moved)
    created_at: datetime
    updated_at: datetime


def read_session(row: Any) -> Session:
    """A session from a row of SESSION_COLUMNS."""
    return Session(
        id=row[0], key=row[1], title=row[2], starts_at=from_db(row[3]),  # type: ignore[arg-type]
        place=row[4], capacity=row[5], year=row[6], status=row[7],
        start_set_at=from_db(row[8]),  # type: ignore[arg-type]
        created_at=from_db(row[9]), updated_at=from_db(row[10]),  # type: ignore[arg-type]
    )


def _marks(values: Sequence[Any]) -> str:
    return ",".join("?" * len(values))


class Sessions:
    """Named queries on sessions (`db.sessions`)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(self, title: str, starts_at: datetime, place: str, capacity: int,
                     year: int, now: datetime) -> Session:
        """Add a session, open for sign-up."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO sessions (title, starts_at, place, capacity, year, status,"
                " start_set_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?)",
                (title, to_db(starts_at), place, capacity, year, to_db(now), to_db(now),
                 to_db(now)))
            cursor = await conn.execute(
                f"SELECT {SESSION_COLUMNS} FROM sessions s WHERE s.id = ?", (cursor.lastrowid,))
            row = await cursor.fetchone()
        return read_session(row)

    async def seed(self, seeds: Iterable[tuple[str, str, datetime, str, int, int]],
                   now: datetime) -> int:
        """Create sessions declared in config by key, once; return how many are new.

        Each seed is (key, title, starts_at, place, capacity, year). A key that exists is left
        alone, even if staff changed that session since.
        """
        added = 0
        async with self.db.transaction() as conn:
            for key, title, starts_at, place, capacity, year in seeds:
                cursor = await conn.execute(
                    "INSERT INTO sessions (key, title, starts_at, place, capacity, year, status,"
                    " start_set_at, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?) ON CONFLICT (key) DO NOTHING",
                    (key, title, to_db(starts_at), place, capacity, year, to_db(now),
                     to_db(now), to_db(now)))
                added += cursor.rowcount
        return added

    async def get(self, session_id: int) -> Session | None:
        """The session with this id, if any."""
        row = await self.db.one(f"SELECT {SESSION_COLUMNS} FROM sessions s WHERE s.id = ?",
                                (session_id,))
        return read_session(row) if row else None

    async def open_for_sign_up(self, now: datetime) -> list[Session]:
        """Sessions owners can sign up for (or wait for), soonest first."""
        rows = await self.db.all(
            f"SELECT {SESSION_COLUMNS} FROM sessions s WHERE s.status IN ({_marks(SIGN_UP)})"
            " AND s.starts_at > ? ORDER BY s.starts_at, s.id", (*SIGN_UP, to_db(now)))
        return [read_session(row) for row in rows]

    async def active(self) -> list[Session]:
        """Sessions that will still take place (open, full or closed)."""
        rows = await self.db.all(
            f"SELECT {SESSION_COLUMNS} FROM sessions s WHERE s.status IN ({_marks(ACTIVE)})"
            " ORDER BY s.starts_at, s.id", ACTIVE)
        return [read_session(row) for row in rows]

    async def recent(self, since: datetime, limit: int = 20) -> list[Session]:
        """Sessions staff manage: those still to come, and those that ended after `since`."""
        rows = await self.db.all(
            f"SELECT {SESSION_COLUMNS} FROM sessions s WHERE s.status IN ({_marks(ACTIVE)})"
            " OR s.starts_at >= ? ORDER BY s.starts_at, s.id LIMIT ?",
            (*ACTIVE, to_db(since), limit))
        return [read_session(row) for row in rows]

    async def edit(self, session_id: int, now: datetime, *, title: str | None = None,
                   place: str | None = None, capacity: int | None = None) -> tuple[int, ...]:
        """Change a session's title, place or capacity; return who got a seat from it.

        More seats move the first of the waiting list up; fewer seats take nobody's away.
        """
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE sessions SET title = coalesce(?, title), place = coalesce(?, place),"
                " capacity = coalesce(?, capacity), updated_at = ? WHERE id = ?",
                (title, place, capacity, to_db(now), session_id))
            return await promote(conn, session_id, now)

    async def move(self, session_id: int, starts_at: datetime, year: int,
                   now: datetime) -> bool:
        """Give a session that will still take place a new start time.

        Confirmations were for the old time, so registrants are asked again.
        """
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE sessions SET starts_at = ?, year = ?, start_set_at = ?, updated_at = ?"
                f" WHERE id = ? AND status IN ({_marks(ACTIVE)})",
                (to_db(starts_at), year, to_db(now), to_db(now), session_id, *ACTIVE))
            if not cursor.rowcount:
                return False
            await conn.execute(
                "UPDATE registrations SET attendance = NULL, updated_at = ? WHERE session_id = ?"
                " AND status = 'registered' AND attendance = 'confirmed'",
                (to_db(now), session_id))
        return True

    async def close(self, session_id: int, now: datetime) -> bool:
        """Stop sign-ups (the session still takes place; the waiting list stays)."""
        return await self.db.write(
            "UPDATE sessions SET status = 'closed', updated_at = ? WHERE id = ?"
            f" AND status IN ({_marks(SIGN_UP)})", (to_db(now), session_id, *SIGN_UP)) > 0

    async def reopen(self, session_id: int, now: datetime) -> bool:
        """Take sign-ups again after `close`."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE sessions SET status = 'open', updated_at = ? WHERE id = ?"
                " AND status = 'closed'", (to_db(now), session_id))
            if cursor.rowcount:
                await sync_status(conn, session_id)
            return cursor.rowcount > 0

    async def cancel(self, session_id: int, now: datetime) -> bool:
        """Cancel a session that was still to take place (its sign-ups are kept as history)."""
        return await self.db.write(
            "UPDATE sessions SET status = 'cancelled', updated_at = ? WHERE id = ?"
            f" AND status IN ({_marks(ACTIVE)})", (to_db(now), session_id, *ACTIVE)) > 0

    async def finish_started(self, now: datetime) -> int:
        """Mark the sessions that have started as done; return how many."""
        return await self.db.write(
            "UPDATE sessions SET status = 'done', updated_at = ?"
            f" WHERE status IN ({_marks(ACTIVE)}) AND starts_at <= ?",
            (to_db(now), *ACTIVE, to_db(now)))
