"""A training session's life: create, edit, move, close or reopen sign-up, cancel.

Owners a change concerns are told through the outbox (a seat that opened, a new time, a
cancellation) and the session's reminder jobs follow at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot import notices, reminder_jobs
from bot.actions import Actor, audit
from bot.session_rules import ACTIVE, MAX_CAPACITY, session_year
from bot.storage import to_db
from bot.storage.sessions import Session

if TYPE_CHECKING:
    from bot.core import Core

FIELDS = ("title", "place", "capacity")  # what `edit` changes


@dataclass(frozen=True)
class SessionChange:
    """What a session action did.

    `outcome`: "done"; "unchanged" (it already was so); "passed" (the start given has passed:
    nothing changed); "inactive" (the session is gone, cancelled or done: nothing changed).
    """

    outcome: str
    session: Session | None = None  # as it is now
    before: Session | None = None  # as it was
    told: int = 0  # owners told about it
    promoted: tuple[int, ...] = ()  # owners who got a seat from it

    @property
    def done(self) -> bool:
        """Whether the session is now as staff asked."""
        return self.outcome in ("done", "unchanged")


async def _active(core: Core, session_id: int) -> Session | None:
    session = await core.db.sessions.get(session_id)
    return session if session is not None and session.status in ACTIVE else None


async def create(core: Core, actor: Actor, now: datetime, *, title: str, starts_at: datetime,
                 place: str, capacity: int) -> SessionChange:
    """Create a session open for sign-up, with its reminders scheduled."""
    if starts_at <= now:
        return SessionChange("passed")
    if not 1 <= capacity <= MAX_CAPACITY:
        raise ValueError(f"capacity {capacity} out of range")
    session = await core.db.sessions.create(title, starts_at, place, capacity,
                                            session_year(starts_at, core.config.time_zone), now)
    await audit(core, actor, now, "session.create", session_id=session.id, title=session.title,
                starts_at=to_db(session.starts_at), capacity=session.capacity)
    await reminder_jobs.schedule(core, session)
    return SessionChange("done", session)


async def edit(core: Core, actor: Actor, now: datetime, session_id: int, field: str,
               value: str | int) -> SessionChange:
    """Change the title, place or number of seats; more seats move the waiting list up."""
    if field not in FIELDS:
        raise ValueError(f"unknown field {field!r}")
    session = await _active(core, session_id)
    if session is None:
        return SessionChange("inactive")
    promoted = await core.db.sessions.edit(session.id, now, **{field: value})
    await notices.notify_promoted(core, session.id, promoted, now)
    await audit(core, actor, now, "session.edit", audience=len(promoted) or None,
                session_id=session.id, field=field, old=getattr(session, field), new=value)
    return SessionChange("done", await core.db.sessions.get(session.id), session,
                         promoted=promoted)


async def move(core: Core, actor: Actor, now: datetime, session_id: int,
               starts_at: datetime) -> SessionChange:
    """Give the session a new start: everyone signed up is told; reminders follow it."""
    session = await _active(core, session_id)
    if session is None:
        return SessionChange("inactive")
    if starts_at <= now or not await core.db.sessions.move(
            session.id, starts_at, session_year(starts_at, core.config.time_zone), now):
        return SessionChange("passed", session, session)
    moved = await core.db.sessions.get(session.id)
    assert moved is not None
    told = await notices.notify_members(
        core, "session_moved", moved,
        {"old": to_db(session.starts_at), "new": to_db(moved.starts_at)},
        f"moved:{session.id}:{int(moved.starts_at.timestamp())}", now)
    await reminder_jobs.schedule(core, moved)
    await audit(core, actor, now, "session.move", audience=told, session_id=session.id,
                old=to_db(session.starts_at), new=to_db(moved.starts_at))
    return SessionChange("done", moved, session, told)


async def close(core: Core, actor: Actor, now: datetime, session_id: int) -> SessionChange:
    """Stop sign-ups; the session still takes place and its waiting list still moves up."""
    session = await _active(core, session_id)
    if session is None:
        return SessionChange("inactive")
    changed = await core.db.sessions.close(session.id, now)
    if changed:
        await audit(core, actor, now, "session.close", session_id=session.id)
    return SessionChange("done" if changed else "unchanged",
                         await core.db.sessions.get(session.id), session)


async def reopen(core: Core, actor: Actor, now: datetime, session_id: int) -> SessionChange:
    """Take sign-ups again after `close`."""
    session = await _active(core, session_id)
    if session is None:
        return SessionChange("inactive")
    changed = await core.db.sessions.reopen(session.id, now)
    if changed:
        await audit(core, actor, now, "session.reopen", session_id=session.id)
    return SessionChange("done" if changed else "unchanged",
                         await core.db.sessions.get(session.id), session)


async def cancel(core: Core, actor: Actor, now: datetime, session_id: int) -> SessionChange:
    """Cancel the session: everyone signed up is told, and no reminder is sent."""
    session = await _active(core, session_id)
    if session is None or not await core.db.sessions.cancel(session.id, now):
        return SessionChange("inactive")
    reminder_jobs.unschedule(core, session.id)
    told = await notices.notify_members(core, "session_cancelled", session, {},
                                        f"cancelled:{session.id}", now)
    await audit(core, actor, now, "session.cancel", audience=told, session_id=session.id)
    return SessionChange("done", await core.db.sessions.get(session.id), session, told)


async def members(core: Core, session_id: int) -> int:
    """How many owners a move or a cancellation would tell: registered or waiting."""
    seats = (await core.db.registrations.seats([session_id]))[session_id]
    return seats.registered + seats.waiting
