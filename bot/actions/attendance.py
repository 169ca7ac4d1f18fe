"""On the day, staff mark who came: one registrant at a time, or everyone not marked yet as absent.

The funnel (/rekap, the web overview) and the export count it. Marking is open from the day
before the session (`bot.session_rules.can_mark`), and stays open after it, unless it was cancelled.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.actions import Actor, audit, seats
from bot.session_rules import can_mark
from bot.storage.registrations import Person

if TYPE_CHECKING:
    from bot.core import Core

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Marked:
    """What marking did.

    `outcome`: "marked"; "not_registered" (that owner holds no seat); "not_yet" (too early, or
    the session is cancelled or gone). `count`: registrants marked.
    """

    outcome: str
    count: int = 0


async def seated(core: Core, session_id: int) -> list[Person]:
    """The registrants by name: whom to mark."""
    return sorted((p for p in await seats.people(core, session_id)
                   if p.status == "registered"), key=lambda p: p.name.casefold())


async def _markable(core: Core, session_id: int, now: datetime) -> bool:
    session = await core.db.sessions.get(session_id)
    return session is not None and can_mark(session.status, session.starts_at, now)


async def mark(core: Core, actor: Actor, now: datetime, session_id: int, owner_id: int,
               present: bool) -> Marked:
    """Mark one registrant as present or absent."""
    if not await _markable(core, session_id, now):
        return Marked("not_yet")
    if not await core.db.registrations.mark_present(session_id, owner_id, present, now):
        return Marked("not_registered")
    log.info("session %d: owner %d marked %s", session_id, owner_id,
             "present" if present else "absent")
    await audit(core, actor, now, "session.present", audience=1, session_id=session_id,
                owner=owner_id, present=present)
    return Marked("marked", 1)


async def mark_rest(core: Core, actor: Actor, now: datetime, session_id: int) -> Marked:
    """Everyone not marked yet did not come."""
    if not await _markable(core, session_id, now):
        return Marked("not_yet")
    rest = [p.owner_id for p in await seated(core, session_id) if p.present is None]
    for owner_id in rest:
        await core.db.registrations.mark_present(session_id, owner_id, False, now)
    await audit(core, actor, now, "session.attendance", audience=len(rest) or None,
                session_id=session_id)
    return Marked("marked", len(rest))
