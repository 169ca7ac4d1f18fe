"""Queries on registrations: signing up, the waiting list, seats handed out, attendance.

Every change of seats runs in one transaction (the connection's lock and BEGIN IMMEDIATE), so
counting the seats and taking one is atomic: two owners pressing for the last seat at the same
moment get one seat and one waiting-list place. The rules (who gets a seat, who moves up, who
holds the seats when the most ready go first) are `bot/seating.py`'s. The waiting list is kept
numbered 1, 2, 3, … in `position`; whoever gets a seat has `seated_at` set, which decides the
reminders they get.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import aiosqlite

from bot import seating
from bot.seating import HOLDING, Candidate
from bot.session_rules import can_sign_up
from bot.storage import from_db, to_db
from bot.storage.seats import choosable, counts, promote, session_row, sync_status
from bot.storage.sessions import SESSION_COLUMNS, Session, read_session

if TYPE_CHECKING:
    from bot.storage import Database

_COLUMNS = ("r.session_id, r.owner_id, r.status, r.position, r.attendance,"
            " r.registered_at, r.seated_at, r.present")
_HOLDING = "(" + ", ".join(f"'{status}'" for status in HOLDING) + ")"


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


def _registration(row: Any) -> Registration:
    return Registration(
        session_id=row[0], owner_id=row[1], status=row[2], position=row[3], attendance=row[4],
        registered_at=from_db(row[5]), seated_at=from_db(row[6]),  # type: ignore[arg-type]
        present=None if row[7] is None else bool(row[7]),
    )


def _marks(values: Sequence[Any]) -> str:
    return ",".join("?" * len(values))


async def _get(conn: aiosqlite.Connection, session_id: int,
               owner_id: int) -> Registration | None:
    cursor = await conn.execute(
        f"SELECT {_COLUMNS} FROM registrations r WHERE r.session_id = ? AND r.owner_id = ?",
        (session_id, owner_id))
    row = await cursor.fetchone()
    return _registration(row) if row else None


class Registrations:
    """Named queries on registrations (`db.registrations`)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def register(self, session_id: int, owner_id: int, now: datetime) -> SignUp:
        """Give the owner a seat, or a place on the waiting list when the seats are taken."""
        async with self.db.transaction() as conn:
            session = await session_row(conn, session_id)
            if session is None:
                return SignUp("missing")
            if not can_sign_up(session.status, session.starts_at, now):
                return SignUp("closed")
            existing = await _get(conn, session_id, owner_id)
            if existing is not None and existing.status in HOLDING:
                return SignUp("already", existing)
            registered, waiting = await counts(conn, session_id)
            place = seating.place(session.capacity, registered, waiting)
            await conn.execute(
                "INSERT INTO registrations (session_id, owner_id, status, position, attendance,"
                " registered_at, updated_at, seated_at) VALUES (?, ?, ?, ?, NULL, ?, ?, ?)"
                " ON CONFLICT (session_id, owner_id) DO UPDATE SET status = excluded.status,"
                " position = excluded.position, attendance = NULL, present = NULL,"
                " registered_at = excluded.registered_at, updated_at = excluded.updated_at,"
                " seated_at = excluded.seated_at",
                (session_id, owner_id, "registered" if place.seated else "waiting",
                 place.position, to_db(now), to_db(now), to_db(now) if place.seated else None))
            await sync_status(conn, session_id)
            registration = await _get(conn, session_id, owner_id)
        return SignUp("registered" if place.seated else "waiting", registration)

    async def withdraw(self, session_id: int, owner_id: int, now: datetime) -> Freed:
        """Cancel the owner's seat or waiting-list place; the first waiting moves up."""
        async with self.db.transaction() as conn:
            existing = await _get(conn, session_id, owner_id)
            if existing is None or existing.status not in HOLDING:
                return Freed(None)
            await conn.execute(
                "UPDATE registrations SET status = 'cancelled', position = NULL,"
                " attendance = CASE WHEN status = 'registered' THEN 'declined' ELSE attendance"
                " END, updated_at = ? WHERE session_id = ? AND owner_id = ?",
                (to_db(now), session_id, owner_id))
            promoted = await promote(conn, session_id, now)
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
            return await _get(conn, session_id, owner_id)

    async def give_seat(self, session_id: int, owner_id: int, instead_of: int | None,
                        now: datetime) -> Chosen:
        """Staff choose: the waiting owner gets a seat, a free one or `instead_of`'s.

        Whoever gives up the seat goes to the head of the waiting list (they had a seat, so
        the next free one is theirs) and is asked about attending again when seated again.
        Nothing changes unless both are still where staff saw them.
        """
        async with self.db.transaction() as conn:
            capacity = await choosable(conn, session_id, now)
            if capacity is None:
                return Chosen("closed")
            chosen = await _get(conn, session_id, owner_id)
            seated = await _get(conn, session_id, instead_of) if instead_of is not None \
                else None
            registered, _waiting = await counts(conn, session_id)
            outcome = seating.hand_out(capacity, registered, chosen.status if chosen else None,
                                       instead_of is not None, seated.status if seated else None)
            if outcome not in ("seated", "swapped"):
                return Chosen(outcome)
            if instead_of is not None:
                await conn.execute(
                    "UPDATE registrations SET status = 'waiting', position = 0, attendance = NULL,"
                    " seated_at = NULL, updated_at = ? WHERE session_id = ? AND owner_id = ?",
                    (to_db(now), session_id, instead_of))
            await conn.execute(
                "UPDATE registrations SET status = 'registered', position = NULL,"
                " attendance = NULL, seated_at = ?, updated_at = ? WHERE session_id = ?"
                " AND owner_id = ?", (to_db(now), to_db(now), session_id, owner_id))
            await promote(conn, session_id, now)  # renumbers the waiting list
            if instead_of is None:
                return Chosen("seated")
            moved = await _get(conn, session_id, instead_of)
            assert moved is not None
            return Chosen("swapped", moved.position)

    async def most_ready(self, session_id: int, now: datetime,
                         apply_if: Callable[[tuple[int, ...], tuple[int, ...]], bool]
                         | None = None,
                         ) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
        """Seats to the most ready (`seating.most_ready`): (who gets a seat, who gives theirs
        up). When `apply_if(seat, unseat)` says it is what staff were shown, it is done, in the
        same transaction: those who give up their seat go to the head of the waiting list, most
        ready first. None when the session no longer takes seat changes.
        """
        async with self.db.transaction() as conn:
            capacity = await choosable(conn, session_id, now)
            if capacity is None:
                return None
            cursor = await conn.execute(
                "SELECT r.owner_id, r.status, o.readiness, r.registered_at, r.id"
                " FROM registrations r JOIN owners o ON o.id = r.owner_id"
                f" WHERE r.session_id = ? AND r.status IN {_HOLDING}", (session_id,))
            reseat = seating.most_ready(
                [Candidate(row[0], row[1] == "registered", row[2], row[3], row[4])
                 for row in await cursor.fetchall()], capacity)
            seat, unseat = reseat.seat, reseat.unseat
            if apply_if is not None and reseat.changes and apply_if(seat, unseat):
                await conn.executemany(
                    "UPDATE registrations SET status = 'waiting', position = ?, attendance = NULL,"
                    " seated_at = NULL, updated_at = ? WHERE session_id = ? AND owner_id = ?",
                    [(position, to_db(now), session_id, owner)
                     for owner, position in seating.head_of_list(unseat)])
                await conn.executemany(
                    "UPDATE registrations SET status = 'registered', position = NULL,"
                    " attendance = NULL, seated_at = ?, updated_at = ? WHERE session_id = ?"
                    " AND owner_id = ?",
                    [(to_db(now), to_db(now), session_id, owner) for owner in seat])
                await promote(conn, session_id, now)  # renumbers the waiting list
        return seat, unseat

    async def mark_present(self, session_id: int, owner_id: int, present: bool,
                           now: datetime) -> bool:
        """Record whether a registrant came; False when they hold no seat."""
        return await self.db.write(
            "UPDATE registrations SET present = ?, updated_at = ? WHERE session_id = ?"
            " AND owner_id = ? AND status = 'registered'",
            (int(present), to_db(now), session_id, owner_id)) > 0

    async def get(self, session_id: int, owner_id: int) -> Registration | None:
        """The owner's registration for a session, if any."""
        row = await self.db.one(
            f"SELECT {_COLUMNS} FROM registrations r WHERE r.session_id = ?"
            " AND r.owner_id = ?", (session_id, owner_id))
        return _registration(row) if row else None

    async def of_owner(self, owner_id: int,
                       statuses: Sequence[str] = ("registered", "waiting", "cancelled"),
                       ) -> list[tuple[Session, Registration]]:
        """The owner's registrations with their sessions, soonest first."""
        rows = await self.db.all(
            f"SELECT {SESSION_COLUMNS}, {_COLUMNS} FROM registrations r"
            f" JOIN sessions s ON s.id = r.session_id WHERE r.owner_id = ?"
            f" AND r.status IN ({_marks(statuses)}) ORDER BY s.starts_at, s.id",
            (owner_id, *statuses))
        return [(read_session(row[:11]), _registration(row[11:])) for row in rows]

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

    async def people(self, session_id: int, name_question: str,
                     business_question: str) -> list[Person]:
        """Who signed up, for staff: registrants by readiness, then the waiting list in order.

        Their names are the answers to `name_question` and `business_question` (the ids are the
        questionnaire's: `bot.questions.NAME`, `bot.questions.BUSINESS_NAME`).
        """
        rows = await self.db.all(
            "SELECT r.owner_id, coalesce(json_extract(n.value, '$'), ''),"
            " coalesce(json_extract(b.value, '$'), ''), o.readiness, r.status, r.position,"
            " r.attendance, r.present FROM registrations r JOIN owners o ON o.id = r.owner_id"
            " LEFT JOIN answers n ON n.owner_id = r.owner_id AND n.question_id = ?"
            " LEFT JOIN answers b ON b.owner_id = r.owner_id AND b.question_id = ?"
            " WHERE r.session_id = ? ORDER BY CASE r.status WHEN 'registered' THEN 0"
            " WHEN 'waiting' THEN 1 ELSE 2 END, r.position,"
            " coalesce(o.readiness, -1) DESC, r.registered_at",
            (name_question, business_question, session_id))
        return [Person(row[0], str(row[1]), str(row[2]), row[3], row[4], row[5], row[6],
                       None if row[7] is None else bool(row[7])) for row in rows]

    def members_sql(self, session_id: int) -> tuple[str, tuple[Any, ...]]:
        """SELECT of the owners holding a seat or a waiting-list place (for notices)."""
        return (f"SELECT owner_id FROM registrations WHERE session_id = ? AND status IN"
                f" {_HOLDING}", (session_id,))

    def reminder_sql(self, session_id: int, due: datetime) -> tuple[str, tuple[Any, ...]]:
        """SELECT of the owners a reminder due at `due` goes to: seated by then."""
        return ("SELECT owner_id FROM registrations WHERE session_id = ?"
                " AND status = 'registered' AND seated_at <= ?", (session_id, to_db(due)))
