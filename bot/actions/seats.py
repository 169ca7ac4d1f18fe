"""Staff choose who gets a seat: one waiting owner, or every seat to the most ready at once.

Demand is far above the seats, so first come, first served is only where it starts. Whoever
gives up a seat goes to the head of the waiting list; everyone concerned is told. Seating the
most ready is shown first (`preview_best`) and done only while it would still change exactly
what staff saw (`give_best` with the preview's fingerprint).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot import notices
from bot.actions import Actor, audit
from bot.questions import BUSINESS_NAME, NAME
from bot.storage.registrations import Person

if TYPE_CHECKING:
    from bot.core import Core

log = logging.getLogger(__name__)


async def people(core: Core, session_id: int) -> list[Person]:
    """Who signed up, by the names they gave: registrants by readiness, then the waiting list."""
    return await core.db.registrations.people(session_id, NAME, BUSINESS_NAME)


@dataclass(frozen=True)
class SeatChange:
    """What giving one waiting owner a seat did.

    `outcome`: "seated" (a free seat), "swapped" (someone else's seat, who now waits at
    `position`); nothing changed on "full" (no free seat: choose whose), "not_waiting",
    "not_registered" (the other no longer holds a seat) or "closed" (no more seat changes).
    """

    outcome: str
    position: int | None = None

    @property
    def done(self) -> bool:
        """Whether the owner got the seat."""
        return self.outcome in ("seated", "swapped")


@dataclass(frozen=True)
class BestSeats:
    """What seating the most ready changes: who gets a seat, who gives theirs up."""

    seat: tuple[int, ...]
    unseat: tuple[int, ...]

    @property
    def nothing(self) -> bool:
        """The seats are already held by the most ready."""
        return not self.seat and not self.unseat

    @property
    def fingerprint(self) -> str:
        """A short stamp of exactly these changes (digits, fits a button), to confirm them."""
        text = ",".join(map(str, self.seat)) + "|" + ",".join(map(str, self.unseat))
        return str(int(hashlib.sha256(text.encode()).hexdigest()[:12], 16) % 10**9)


@dataclass(frozen=True)
class BestChange:
    """What giving the seats to the most ready did.

    `outcome`: "done" (`seats` is what changed); "changed" (the sign-ups changed since the
    preview: nothing done, `seats` is the new preview); "closed" (no more seat changes).
    """

    outcome: str
    seats: BestSeats | None = None


async def give_seat(core: Core, actor: Actor, now: datetime, session_id: int, chosen_id: int,
                    seated_id: int | None = None) -> SeatChange:
    """Give a waiting owner a free seat, or `seated_id`'s seat; both are told."""
    result = await core.db.registrations.give_seat(session_id, chosen_id, seated_id, now)
    if result.outcome not in ("seated", "swapped"):
        return SeatChange(result.outcome)
    await notices.notify_promoted(core, session_id, (chosen_id,), now, chosen=True)
    if result.outcome == "swapped" and seated_id is not None:
        await notices.notify_unseated(core, session_id, (seated_id,), now)
    log.info("session %d: staff gave owner %d a seat%s", session_id, chosen_id,
             f" instead of owner {seated_id}" if seated_id else "")
    await audit(core, actor, now, "session.choose", audience=2 if seated_id else 1,
                session_id=session_id, seated=chosen_id, moved_to_waiting=seated_id or None)
    return SeatChange(result.outcome, result.position)


async def preview_best(core: Core, now: datetime, session_id: int) -> BestSeats | None:
    """What seating the most ready would change now; None when seats can no longer change."""
    change = await core.db.registrations.most_ready(session_id, now)
    return BestSeats(*change) if change is not None else None


async def give_best(core: Core, actor: Actor, now: datetime, session_id: int,
                    fingerprint: str) -> BestChange:
    """Seat the most ready, if that still changes exactly what the preview showed."""
    change = await core.db.registrations.most_ready(
        session_id, now, apply_if=lambda seat, unseat: BestSeats(seat, unseat).fingerprint
        == fingerprint)
    if change is None:
        return BestChange("closed")
    seats = BestSeats(*change)
    if seats.fingerprint != fingerprint or seats.nothing:
        return BestChange("changed", seats)
    await notices.notify_promoted(core, session_id, seats.seat, now, chosen=True)
    await notices.notify_unseated(core, session_id, seats.unseat, now)
    log.info("session %d: staff gave the seats to the most ready (%d in, %d out)", session_id,
             len(seats.seat), len(seats.unseat))
    await audit(core, actor, now, "session.choose_best",
                audience=len(seats.seat) + len(seats.unseat), session_id=session_id,
                seated=list(seats.seat), moved_to_waiting=list(seats.unseat))
    return BestChange("done", seats)
