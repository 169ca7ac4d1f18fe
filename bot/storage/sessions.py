"""Queries on training sessions and registrations: seats, the waiting list, attendance.

Every change of seats runs in one transaction (the connection's lock and BEGIN IMMEDIATE), so
counting the seats and taking one is atomic: two owners pressing for the last seat at the same
moment get one seat and one waiting-list place. The waiting list is kept numbered 1, 2, 3, … in
`position`; whoever gets a seat has `seated_at` set, which decides the reminders they get.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import aiosqlite

from bot.sessions import ACTIVE, SIGN_UP
from bot.storage import from_db, to_db

if TYPE_CHECKING:
    from bot.storage import Database

_SESSION_COLUMNS = ("s.id, s.key, s.title, s.starts_at, s.place, s.capacity, s.year, s.status,"
                    " coalesce(s.start_set_at, s.created_at), s.created_at, s.updated_at")
_REGISTRATION_COLUMNS = ("r.session_id, r.owner_id, r.status, r.position, r.attendance,"
                         " r.registered_at, r.seated_at, r.present")


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


@dataclass(frozen=True)
class Registration:
    """One owner's sign-up for one session."""

    session_id: int
    owner_id: int
    status: str  # registered, waiting, cancelled
    position: int | None  # place on the waiting list
    attendance: str | None  # the owner's answer: confirmed, declined
    registered_at: datetime
    seated_at: datetime | None
    present: bool | None = None  # as staff marked it on the day; None: not marked


@dataclass(frozen=True)
class Seats:
    """How a session's seats stand."""

    registered: int = 0
    confirmed: int = 0
    cancelled: int = 0
    waiting: int = 0


@dataclass(frozen=True)
class SignUp:
    """What happened when an owner asked for a seat."""

    outcome: str  # registered, waiting, already, closed, missing
    registration: Registration | None = None


@dataclass(frozen=True)
class Freed:
    """What happened when a registration was cancelled."""

    was: str | None  # the registration's status before (None: there was nothing to cancel)
    promoted: tuple[int, ...] = ()  # owners who moved up from the waiting list to a seat


@dataclass(frozen=True)
class Chosen:
    """What happened when staff gave a seat to someone on the waiting list."""

    outcome: str  # seated, swapped, full, not_waiting, not_registered, closed
    position: int | None = None  # where the one who gave up the seat now waits


@dataclass(frozen=True)
class Person:
    """A registrant as staff see them."""

    owner_id: int
    name: str
    business: str
    readiness: int | None
    status: str
    position: int | None
    attendance: str | None
    present: bool | None = None


def _session(row: Any) -> Session:
    return Session(
        id=row[0], key=row[1], title=row[2], starts_at=from_db(row[3]),  # type: ignore[arg-type]
        place=row[4], capacity=row[5], year=row[6], status=row[7],
        start_set_at=from_db(row[8]),  # type: ignore[arg-type]
        created_at=from_db(row[9]), updated_at=from_db(row[10]),  # type: ignore[arg-type]
    )


def _registration(row: Any) -> Registration:
    return Registration(
        session_id=row[0], owner_id=row[1], status=row[2], position=row[3], attendance=row[4],
        registered_at=from_db(row[5]), seated_at=from_db(row[6]),  # type: ignore[arg-type]
        present=None if row[7] is None else bool(row[7]),
    )


def _marks(values: Sequence[Any]) -> str:
    return ",".join("?" * len(values))


class Sessions:
    """Named queries on sessions and registrations."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # ------------------------------------------------------------ sessions

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
                f"SELECT {_SESSION_COLUMNS} FROM sessions s WHERE s.id = ?", (cursor.lastrowid,))
            row = await cursor.fetchone()
        return _session(row)

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
        row = await self.db.one(f"SELECT {_SESSION_COLUMNS} FROM sessions s WHERE s.id = ?",
                                (session_id,))
        return _session(row) if row else None

    async def open_for_sign_up(self, now: datetime) -> list[Session]:
        """Sessions owners can sign up for (or wait for), soonest first."""
        rows = await self.db.all(
            f"SELECT {_SESSION_COLUMNS} FROM sessions s WHERE s.status IN ({_marks(SIGN_UP)})"
            " AND s.starts_at > ? ORDER BY s.starts_at, s.id", (*SIGN_UP, to_db(now)))
        return [_session(row) for row in rows]

    async def active(self) -> list[Session]:
        """Sessions that will still take place (open, full or closed)."""
        rows = await self.db.all(
            f"SELECT {_SESSION_COLUMNS} FROM sessions s WHERE s.status IN ({_marks(ACTIVE)})"
            " ORDER BY s.starts_at, s.id", ACTIVE)
        return [_session(row) for row in rows]

    async def recent(self, since: datetime, limit: int = 20) -> list[Session]:
        """Sessions staff manage: those still to come, and those that ended after `since`."""
        rows = await self.db.all(
            f"SELECT {_SESSION_COLUMNS} FROM sessions s WHERE s.status IN ({_marks(ACTIVE)})"
            " OR s.starts_at >= ? ORDER BY s.starts_at, s.id LIMIT ?",
            (*ACTIVE, to_db(since), limit))
        return [_session(row) for row in rows]

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
            return await self._promote(conn, session_id, now)

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
                await self._sync_status(conn, session_id)
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

    # ------------------------------------------------------------ registrations

    async def register(self, session_id: int, owner_id: int, now: datetime) -> SignUp:
        """Give the owner a seat, or a place on the waiting list when the seats are taken."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "SELECT status, starts_at, capacity FROM sessions WHERE id = ?", (session_id,))
            session = await cursor.fetchone()
            if session is None:
                return SignUp("missing")
            if session[0] not in SIGN_UP or session[1] <= to_db(now):
                return SignUp("closed")
            existing = await self._registration(conn, session_id, owner_id)
            if existing is not None and existing.status in ("registered", "waiting"):
                return SignUp("already", existing)
            registered, waiting = await self._counts(conn, session_id)
            seat = registered < session[2] and waiting == 0
            await conn.execute(
                "INSERT INTO registrations (session_id, owner_id, status, position, attendance,"
                " registered_at, updated_at, seated_at) VALUES (?, ?, ?, ?, NULL, ?, ?, ?)"
                " ON CONFLICT (session_id, owner_id) DO UPDATE SET status = excluded.status,"
                " position = excluded.position, attendance = NULL, present = NULL,"
                " registered_at = excluded.registered_at, updated_at = excluded.updated_at,"
                " seated_at = excluded.seated_at",
                (session_id, owner_id, "registered" if seat else "waiting",
                 None if seat else waiting + 1, to_db(now), to_db(now),
                 to_db(now) if seat else None))
            await self._sync_status(conn, session_id)
            registration = await self._registration(conn, session_id, owner_id)
        return SignUp("registered" if seat else "waiting", registration)

    async def withdraw(self, session_id: int, owner_id: int, now: datetime) -> Freed:
        """Cancel the owner's seat or waiting-list place; the first waiting moves up."""
        async with self.db.transaction() as conn:
            existing = await self._registration(conn, session_id, owner_id)
            if existing is None or existing.status not in ("registered", "waiting"):
                return Freed(None)
            await conn.execute(
                "UPDATE registrations SET status = 'cancelled', position = NULL,"
                " attendance = CASE WHEN status = 'registered' THEN 'declined' ELSE attendance"
                " END, updated_at = ? WHERE session_id = ? AND owner_id = ?",
                (to_db(now), session_id, owner_id))
            promoted = await self._promote(conn, session_id, now)
        return Freed(existing.status, promoted)

    async def attend(self, session_id: int, owner_id: int, attendance: str,
                     now: datetime) -> Registration | None:
        """Record a registrant's answer about attending; None when they hold no seat."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE registrations SET attendance = ?, updated_at = ? WHERE session_id = ?"
                " AND owner_id = ? AND status = 'registered'",
                (attendance, to_db(now), session_id, owner_id))
            if not cursor.rowcount:
                return None
            return await self._registration(conn, session_id, owner_id)

    async def give_seat(self, session_id: int, owner_id: int, instead_of: int | None,
                        now: datetime) -> Chosen:
        """Staff choose: the waiting owner gets a seat, a free one or `instead_of`'s.

        Whoever gives up the seat goes to the head of the waiting list (they had a seat, so
        the next free one is theirs) and is asked about attending again when seated again.
        Nothing changes unless both are still where staff saw them.
        """
        async with self.db.transaction() as conn:
            capacity = await self._choosable(conn, session_id, now)
            if capacity is None:
                return Chosen("closed")
            chosen = await self._registration(conn, session_id, owner_id)
            if chosen is None or chosen.status != "waiting":
                return Chosen("not_waiting")
            registered, _waiting = await self._counts(conn, session_id)
            if instead_of is None and registered >= capacity:
                return Chosen("full")
            if instead_of is not None:
                seated = await self._registration(conn, session_id, instead_of)
                if seated is None or seated.status != "registered":
                    return Chosen("not_registered")
                await conn.execute(
                    "UPDATE registrations SET status = 'waiting', position = 0, attendance = NULL,"
                    " seated_at = NULL, updated_at = ? WHERE session_id = ? AND owner_id = ?",
                    (to_db(now), session_id, instead_of))
            await conn.execute(
                "UPDATE registrations SET status = 'registered', position = NULL,"
                " attendance = NULL, seated_at = ?, updated_at = ? WHERE session_id = ?"
                " AND owner_id = ?", (to_db(now), to_db(now), session_id, owner_id))
            await self._promote(conn, session_id, now)  # renumbers the waiting list
            if instead_of is None:
                return Chosen("seated")
            moved = await self._registration(conn, session_id, instead_of)
            assert moved is not None
            return Chosen("swapped", moved.position)

    async def most_ready(self, session_id: int, now: datetime,
                         apply_if: Callable[[tuple[int, ...], tuple[int, ...]], bool]
                         | None = None,
                         ) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
        """Seats to the most ready: (who gets a seat, who gives theirs up).

        The `capacity` owners signed up (seated or waiting) with the highest readiness hold the
        seats, earlier sign-ups first among equals. When `apply_if(seat, unseat)` says it is what
        staff were shown, it is done, in the same transaction: those who give up their seat go
        to the head of the waiting list, most ready first. None when the session no longer
        takes seat changes.
        """
        async with self.db.transaction() as conn:
            capacity = await self._choosable(conn, session_id, now)
            if capacity is None:
                return None
            cursor = await conn.execute(
                "SELECT r.owner_id, r.status FROM registrations r JOIN owners o"
                " ON o.id = r.owner_id WHERE r.session_id = ? AND r.status IN"
                " ('registered', 'waiting') ORDER BY coalesce(o.readiness, -1) DESC,"
                " r.registered_at, r.id", (session_id,))
            ranked = list(await cursor.fetchall())
            best, rest = ranked[:capacity], ranked[capacity:]
            seat = tuple(owner for owner, status in best if status == "waiting")
            unseat = tuple(owner for owner, status in rest if status == "registered")
            if apply_if is not None and (seat or unseat) and apply_if(seat, unseat):
                await conn.executemany(
                    "UPDATE registrations SET status = 'waiting', position = ?, attendance = NULL,"
                    " seated_at = NULL, updated_at = ? WHERE session_id = ? AND owner_id = ?",
                    [(place - len(unseat), to_db(now), session_id, owner)
                     for place, owner in enumerate(unseat)])
                await conn.executemany(
                    "UPDATE registrations SET status = 'registered', position = NULL,"
                    " attendance = NULL, seated_at = ?, updated_at = ? WHERE session_id = ?"
                    " AND owner_id = ?",
                    [(to_db(now), to_db(now), session_id, owner) for owner in seat])
                await self._promote(conn, session_id, now)  # renumbers the waiting list
        return seat, unseat

    async def mark_present(self, session_id: int, owner_id: int, present: bool,
                           now: datetime) -> bool:
        """Record whether a registrant came; False when they hold no seat."""
        return await self.db.write(
            "UPDATE registrations SET present = ?, updated_at = ? WHERE session_id = ?"
            " AND owner_id = ? AND status = 'registered'",
            (int(present), to_db(now), session_id, owner_id)) > 0

    async def registration(self, session_id: int, owner_id: int) -> Registration | None:
        """The owner's registration for a session, if any."""
        row = await self.db.one(
            f"SELECT {_REGISTRATION_COLUMNS} FROM registrations r WHERE r.session_id = ?"
            " AND r.owner_id = ?", (session_id, owner_id))
        return _registration(row) if row else None

    async def of_owner(self, owner_id: int,
                       statuses: Sequence[str] = ("registered", "waiting", "cancelled"),
                       ) -> list[tuple[Session, Registration]]:
        """The owner's registrations with their sessions, soonest first."""
        rows = await self.db.all(
            f"SELECT {_SESSION_COLUMNS}, {_REGISTRATION_COLUMNS} FROM registrations r"
            f" JOIN sessions s ON s.id = r.session_id WHERE r.owner_id = ?"
            f" AND r.status IN ({_marks(statuses)}) ORDER BY s.starts_at, s.id",
            (owner_id, *statuses))
        return [(_session(row[:11]), _registration(row[11:])) for row in rows]

    async def seats(self, session_ids: Sequence[int]) -> dict[int, Seats]:
        """How the seats of these sessions stand."""
        if not session_ids:
            return {}
        rows = await self.db.all(
            "SELECT session_id, sum(status = 'registered'),"
            " sum(status = 'registered' AND attendance = 'confirmed'),"
            " sum(status = 'cancelled'), sum(status = 'waiting') FROM registrations"
            f" WHERE session_id IN ({_marks(session_ids)}) GROUP BY session_id",
            tuple(session_ids))
        found = {row[0]: Seats(*(int(v or 0) for v in row[1:])) for row in rows}
        return {sid: found.get(sid, Seats()) for sid in session_ids}

    async def people(self, session_id: int) -> list[Person]:
        """Who signed up, for staff: registrants by readiness, then the waiting list in order."""
        rows = await self.db.all(
            "SELECT r.owner_id, coalesce(json_extract(n.value, '$'), ''),"
            " coalesce(json_extract(b.value, '$'), ''), o.readiness, r.status, r.position,"
            " r.attendance, r.present FROM registrations r JOIN owners o ON o.id = r.owner_id"
            " LEFT JOIN answers n ON n.owner_id = r.owner_id AND n.question_id = 'name'"
            " LEFT JOIN answers b ON b.owner_id = r.owner_id AND b.question_id = 'business_name'"
            " WHERE r.session_id = ? ORDER BY CASE r.status WHEN 'registered' THEN 0"
            " WHEN 'waiting' THEN 1 ELSE 2 END, r.position,"
            " coalesce(o.readiness, -1) DESC, r.registered_at", (session_id,))
        return [Person(row[0], str(row[1]), str(row[2]), row[3], row[4], row[5], row[6],
                       None if row[7] is None else bool(row[7])) for row in rows]

    def members_sql(self, session_id: int) -> tuple[str, tuple[Any, ...]]:
        """SELECT of the owners holding a seat or a waiting-list place (for notices)."""
        return ("SELECT owner_id FROM registrations WHERE session_id = ?"
                " AND status IN ('registered', 'waiting')", (session_id,))

    def reminder_sql(self, session_id: int, due: datetime) -> tuple[str, tuple[Any, ...]]:
        """SELECT of the owners a reminder due at `due` goes to: seated by then."""
        return ("SELECT owner_id FROM registrations WHERE session_id = ?"
                " AND status = 'registered' AND seated_at <= ?", (session_id, to_db(due)))

    # ------------------------------------------------------------ inside a transaction

    @staticmethod
    async def _registration(conn: aiosqlite.Connection, session_id: int,
                            owner_id: int) -> Registration | None:
        cursor = await conn.execute(
            f"SELECT {_REGISTRATION_COLUMNS} FROM registrations r WHERE r.session_id = ?"
            " AND r.owner_id = ?", (session_id, owner_id))
        row = await cursor.fetchone()
        return _registration(row) if row else None

    @staticmethod
    async def _counts(conn: aiosqlite.Connection, session_id: int) -> tuple[int, int]:
        cursor = await conn.execute(
            "SELECT coalesce(sum(status = 'registered'), 0), coalesce(sum(status = 'waiting'), 0)"
            " FROM registrations WHERE session_id = ?", (session_id,))
        row = await cursor.fetchone()
        assert row is not None
        return int(row[0]), int(row[1])

    async def _promote(self, conn: aiosqlite.Connection, session_id: int,
                       now: datetime) -> tuple[int, ...]:
        """Fill free seats from the head of the waiting list, renumber it, update the status."""
        cursor = await conn.execute(
            "SELECT status, starts_at, capacity FROM sessions WHERE id = ?", (session_id,))
        session = await cursor.fetchone()
        promoted: list[int] = []
        if session is not None and session[0] in ACTIVE and session[1] > to_db(now):
            registered, _waiting = await self._counts(conn, session_id)
            free = session[2] - registered
            if free > 0:
                cursor = await conn.execute(
                    "UPDATE registrations SET status = 'registered', position = NULL,"
                    " seated_at = ?, updated_at = ? WHERE id IN (SELECT id FROM registrations"
                    " WHERE session_id = ? AND status = 'waiting' ORDER BY position LIMIT ?)"
                    " RETURNING owner_id",
                    (to_db(now), to_db(now), session_id, free))
                promoted = [row[0] for row in await cursor.fetchall()]
        await conn.execute(
            "UPDATE registrations SET position = w.place FROM (SELECT id, row_number() OVER"
            " (ORDER BY position, id) AS place FROM registrations WHERE session_id = ?"
            " AND status = 'waiting') AS w WHERE registrations.id = w.id"
            " AND registrations.position IS NOT w.place", (session_id,))
        await self._sync_status(conn, session_id)
        return tuple(promoted)

    @staticmethod
    async def _choosable(conn: aiosqlite.Connection, session_id: int,
                         now: datetime) -> int | None:
        """The capacity of a session whose seats staff can still hand out, else None."""
        cursor = await conn.execute(
            "SELECT status, starts_at, capacity FROM sessions WHERE id = ?", (session_id,))
        session = await cursor.fetchone()
        if session is None or session[0] not in ACTIVE or session[1] <= to_db(now):
            return None
        return int(session[2])

    async def _sync_status(self, conn: aiosqlite.Connection, session_id: int) -> None:
        """Open and full follow the seats; closed, cancelled and done stay as staff set them."""
        await conn.execute(
            "UPDATE sessions SET status = CASE WHEN (SELECT count(*) FROM registrations"
            " WHERE session_id = sessions.id AND status = 'registered') >= capacity"
            " THEN 'full' ELSE 'open' END WHERE id = ? AND status IN ('open', 'full')",
            (session_id,))
