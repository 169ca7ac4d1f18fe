"""The seat rules of a training session, pure: who gets a seat, who waits, who moves up, who
holds the seats when staff give them to the most ready, and whether a session is open or full.

No I/O: the storage (`bot/storage/registrations.py`, `bot/storage/seats.py`) reads the rows,
asks these functions what to do, and writes the answer in the same transaction.

- First come, first served: a free seat goes to whoever asks, unless someone is already waiting
  (then the seat is theirs and the newcomer waits behind them).
- The waiting list is numbered 1, 2, 3, …; a free seat goes to number 1.
- Staff may hand a seat out by hand (a free one, or one taken from someone seated) or give the
  seats to the most ready; whoever gives a seat up goes to the head of the waiting list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

HOLDING = ("registered", "waiting")  # a registration that holds a seat or a waiting place


@dataclass(frozen=True)
class Place:
    """Where a new sign-up goes: a seat, or `position` on the waiting list."""

    seated: bool
    position: int | None = None


@dataclass(frozen=True)
class Candidate:
    """Someone signed up (seated or waiting), as the most-ready ranking sees them."""

    owner_id: int
    seated: bool
    readiness: int | None
    registered_at: str  # as stored: sortable
    order: int = 0  # the registration's row id: earlier rows first among equals


@dataclass(frozen=True)
class Reseat:
    """Seats to the most ready: who gets a seat, who gives theirs up (most ready first)."""

    seat: tuple[int, ...] = ()
    unseat: tuple[int, ...] = ()

    @property
    def changes(self) -> bool:
        """Whether anyone's seat changes."""
        return bool(self.seat or self.unseat)


def place(capacity: int, registered: int, waiting: int) -> Place:
    """First come, first served: a free seat when nobody waits, else the end of the list."""
    if registered < capacity and waiting == 0:
        return Place(seated=True)
    return Place(seated=False, position=waiting + 1)


def moving_up(capacity: int, registered: int, waiting: Sequence[int]) -> tuple[int, ...]:
    """Who moves from the waiting list (given in its order) to the seats that are free."""
    return tuple(waiting[:max(0, capacity - registered)])


def status(capacity: int, registered: int) -> str:
    """Open while a seat is free, full when every seat is taken."""
    return "full" if registered >= capacity else "open"


def follows_seats(current: str) -> bool:
    """Whether a session's status follows its seats: open and full do; closed (by staff),
    cancelled and done stay as they are."""
    return current in ("open", "full")


def hand_out(capacity: int, registered: int, chosen: str | None, swapping: bool,
             seated: str | None = None) -> str:
    """Staff give the seat to someone waiting (`chosen` is their registration's status), a free
    seat or, when `swapping`, the seat of someone (`seated` is theirs).

    "seated" or "swapped" when it can be done; else "not_waiting", "full" (no free seat and
    nobody to swap with) or "not_registered" (the one to swap with holds no seat now).
    """
    if chosen != "waiting":
        return "not_waiting"
    if not swapping:
        return "seated" if registered < capacity else "full"
    return "swapped" if seated == "registered" else "not_registered"


def most_ready(candidates: Sequence[Candidate], capacity: int) -> Reseat:
    """The `capacity` most ready hold the seats (unscored last, earlier sign-ups first among
    equals): who of them waits now gets a seat, who seated is left out gives theirs up."""
    ranked = sorted(candidates, key=lambda c: (
        -(c.readiness if c.readiness is not None else -1), c.registered_at, c.order))
    best, rest = ranked[:capacity], ranked[capacity:]
    return Reseat(seat=tuple(c.owner_id for c in best if not c.seated),
                  unseat=tuple(c.owner_id for c in rest if c.seated))


def head_of_list(unseat: Sequence[int]) -> list[tuple[int, int]]:
    """(owner, position) for those who gave up a seat: ahead of everyone waiting, in order.

    The positions are below 1, so they sort before the list; the list is numbered 1, 2, 3, …
    again afterwards.
    """
    return [(owner, number - len(unseat)) for number, owner in enumerate(unseat)]
