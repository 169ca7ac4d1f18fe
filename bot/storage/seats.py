"""Seat moves inside a transaction, shared by the sessions and registrations repositories:
counting a session's seats, moving its waiting list up, keeping its open/full status in step.

What to do is decided by the pure rules (`bot/seating.py`); these functions read the rows the
rules need and write what they say, on a connection already inside `Database.transaction`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot import seating
from bot.session_rules import can_choose
from bot.storage import from_db, to_db


@dataclass(frozen=True)
class SessionRow:
    """What the seat rules need of a session."""

    status: str
    starts_at: datetime
    capacity: int


async def session_row(conn: aiosqlite.Connection, session_id: int) -> SessionRow | None:
    """The session's status, start and capacity, if it exists."""
    cursor = await conn.execute(
        "SELECT status, starts_at, capacity FROM sessions WHERE id = ?", (session_id,))
    row = await cursor.fetchone()
    if row is None:
        return None
    starts_at = from_db(row[1])
    assert starts_at is not None
    return SessionRow(row[0], starts_at, int(row[2]))


async def counts(conn: aiosqlite.Connection, session_id: int) -> tuple[int, int]:
    """(seats taken, owners waiting) of a session."""
    cursor = await conn.execute(
        "SELECT coalesce(sum(status = 'registered'), 0), coalesce(sum(status = 'waiting'), 0)"
        " FROM registrations WHERE session_id = ?", (session_id,))
    row = await cursor.fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


async def choosable(conn: aiosqlite.Connection, session_id: int, now: datetime) -> int | None:
    """The capacity of a session whose seats can still change hands, else None."""
    row = await session_row(conn, session_id)
    if row is None or not can_choose(row.status, row.starts_at, now):
        return None
    return row.capacity


async def promote(conn: aiosqlite.Connection, session_id: int,
                  now: datetime) -> tuple[int, ...]:
    """Fill free seats from the head of the waiting list, renumber it, update the status;
    return who got a seat."""
    capacity = await choosable(conn, session_id, now)
    promoted: tuple[int, ...] = ()
    if capacity is not None:
        registered, _waiting = await counts(conn, session_id)
        cursor = await conn.execute(
            "SELECT owner_id FROM registrations WHERE session_id = ? AND status = 'waiting'"
            " ORDER BY position, id", (session_id,))
        waiting = [row[0] for row in await cursor.fetchall()]
        promoted = seating.moving_up(capacity, registered, waiting)
        await conn.executemany(
            "UPDATE registrations SET status = 'registered', position = NULL, seated_at = ?,"
            " updated_at = ? WHERE session_id = ? AND owner_id = ?",
            [(to_db(now), to_db(now), session_id, owner) for owner in promoted])
    await conn.execute(
        "UPDATE registrations SET position = w.place FROM (SELECT id, row_number() OVER"
        " (ORDER BY position, id) AS place FROM registrations WHERE session_id = ?"
        " AND status = 'waiting') AS w WHERE registrations.id = w.id"
        " AND registrations.position IS NOT w.place", (session_id,))
    await sync_status(conn, session_id)
    return promoted


async def sync_status(conn: aiosqlite.Connection, session_id: int) -> None:
    """Open and full follow the seats; closed, cancelled and done stay as staff set them."""
    cursor = await conn.execute(
        "SELECT s.status, s.capacity, (SELECT count(*) FROM registrations r"
        " WHERE r.session_id = s.id AND r.status = 'registered') FROM sessions s WHERE s.id = ?",
        (session_id,))
    row = await cursor.fetchone()
    if row is None or not seating.follows_seats(row[0]):
        return
    status = seating.status(int(row[1]), int(row[2]))
    if status != row[0]:
        await conn.execute("UPDATE sessions SET status = ? WHERE id = ?", (status, session_id))
