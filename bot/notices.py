"""Notices to owners other than the one talking: a seat given or lost, a session moved or
cancelled. Each is an outbox row, rendered when the one sender sends it (from the database as it
is then, in the reader's language), so a notice that is no longer true is skipped.

Chat features and the staff web page call these after the action that makes them true.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from bot.storage import to_db
from bot.storage.outbox import PRIORITY_NOTICE, Item
from bot.storage.registrations import Registration
from bot.storage.sessions import Session

if TYPE_CHECKING:
    from bot.core import Core

log = logging.getLogger(__name__)


async def notify_promoted(core: Core, session_id: int, promoted: tuple[int, ...],
                          now: datetime, chosen: bool = False) -> None:
    """Queue "a seat is yours" for each promoted (or, `chosen`, staff-chosen) owner."""
    payload: dict[str, object] = {"session_id": session_id, **({"chosen": True} if chosen else {})}
    for owner_id in promoted:
        await core.db.outbox.enqueue(owner_id, "seat", f"seat:{session_id}:{to_db(now)}",
                                     payload, now, priority=PRIORITY_NOTICE)
    if promoted:
        log.info("session %d: %d owner(s) moved up from the waiting list", session_id,
                 len(promoted))
        core.wake_sender()


async def notify_unseated(core: Core, session_id: int, owners: tuple[int, ...],
                          now: datetime) -> None:
    """Queue "your seat went to another business" for each owner and wake the sender."""
    ref = f"seat_lost:{session_id}:{to_db(now)}"
    for owner_id in owners:
        await core.db.outbox.enqueue(owner_id, "seat_lost", ref, {"session_id": session_id},
                                     now, priority=PRIORITY_NOTICE)
    if owners:
        core.wake_sender()


async def notify_members(core: Core, kind: str, session: Session, payload: dict[str, object],
                         ref: str, now: datetime) -> int:
    """Queue a notice about a session to its registrants and waiting list; return how many."""
    sql, params = core.db.registrations.members_sql(session.id)
    count = await core.db.outbox.enqueue_owners(kind, ref, {"session_id": session.id, **payload},
                                                sql, params, now, priority=PRIORITY_NOTICE)
    core.wake_sender()
    return count


async def seat_of(core: Core, item: Item) -> tuple[Session, Registration] | None:
    """The session of a notice about a seat, and the reader's registration for it."""
    session_id = item.payload.get("session_id")
    if not isinstance(session_id, int) or item.owner_id is None:
        return None
    session = await core.db.sessions.get(session_id)
    registration = await core.db.registrations.get(session_id, item.owner_id)
    if session is None or registration is None:
        return None
    return session, registration
