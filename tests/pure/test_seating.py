"""The seat rules as a table: first come first served, moving up, the most ready, open/full."""

from __future__ import annotations

import pytest

from bot import seating
from bot.seating import Candidate, Place, Reseat


@pytest.mark.parametrize(("capacity", "registered", "waiting", "expected"), [
    (2, 0, 0, Place(seated=True)),
    (2, 1, 0, Place(seated=True)),
    (2, 2, 0, Place(seated=False, position=1)),
    (2, 2, 3, Place(seated=False, position=4)),
    (2, 1, 1, Place(seated=False, position=2)),  # a seat is free, but someone waits for it
    (1, 5, 0, Place(seated=False, position=1)),  # fewer seats than registrants: nobody new
])
def test_first_come_first_served(capacity, registered, waiting, expected):
    assert seating.place(capacity, registered, waiting) == expected


@pytest.mark.parametrize(("capacity", "registered", "waiting", "expected"), [
    (2, 2, [7, 8], ()),
    (3, 2, [7, 8], (7,)),
    (5, 2, [7, 8], (7, 8)),
    (4, 2, [], ()),
    (1, 3, [7], ()),  # fewer seats now than registrants: nobody loses a seat, nobody moves up
])
def test_free_seats_go_to_the_head_of_the_waiting_list(capacity, registered, waiting, expected):
    assert seating.moving_up(capacity, registered, waiting) == expected


@pytest.mark.parametrize(("capacity", "registered", "expected"), [
    (2, 0, "open"), (2, 1, "open"), (2, 2, "full"), (2, 3, "full"),
])
def test_open_while_a_seat_is_free(capacity, registered, expected):
    assert seating.status(capacity, registered) == expected


@pytest.mark.parametrize(("status", "follows"), [
    ("open", True), ("full", True), ("closed", False), ("cancelled", False), ("done", False),
])
def test_only_open_and_full_follow_the_seats(status, follows):
    assert seating.follows_seats(status) is follows


@pytest.mark.parametrize(("capacity", "registered", "chosen", "swapping", "seated", "expected"), [
    (2, 1, "waiting", False, None, "seated"),
    (2, 2, "waiting", False, None, "full"),
    (2, 2, "waiting", True, "registered", "swapped"),
    (2, 1, "waiting", True, "registered", "swapped"),  # a swap even with a free seat
    (2, 2, "waiting", True, "waiting", "not_registered"),
    (2, 2, "waiting", True, None, "not_registered"),
    (2, 1, "registered", False, None, "not_waiting"),
    (2, 1, "cancelled", True, "registered", "not_waiting"),
    (2, 1, None, False, None, "not_waiting"),
])
def test_staff_hand_out_a_seat(capacity, registered, chosen, swapping, seated, expected):
    assert seating.hand_out(capacity, registered, chosen, swapping, seated) == expected


def ranked(*people: tuple[int, bool, int | None, str]) -> list[Candidate]:
    return [Candidate(owner, seated, readiness, at, order)
            for order, (owner, seated, readiness, at) in enumerate(people, start=1)]


@pytest.mark.parametrize(("capacity", "candidates", "expected"), [
    # Ani (60) and Budi (95) hold the seats; Citra (99) and Dewi (70) wait.
    (2, ranked((1, True, 60, "a"), (2, True, 95, "b"), (3, False, 99, "c"), (4, False, 70, "d")),
     Reseat(seat=(3,), unseat=(1,))),
    (3, ranked((1, True, 60, "a"), (2, True, 95, "b"), (3, False, 99, "c"), (4, False, 70, "d")),
     Reseat(seat=(3, 4), unseat=(1,))),
    # Already the most ready: nothing changes.
    (2, ranked((1, True, 90, "a"), (2, True, 80, "b"), (3, False, 70, "c")), Reseat()),
    # Equal readiness: the earlier sign-up first; unscored owners last.
    (1, ranked((1, True, None, "a"), (2, False, 50, "c"), (3, False, 50, "b")),
     Reseat(seat=(3,), unseat=(1,))),
    # Equal readiness and time: the earlier row first.
    (1, ranked((1, False, 50, "a"), (2, True, 50, "a")), Reseat(seat=(1,), unseat=(2,))),
    # Several give up their seats: most ready of them first (they head the waiting list so).
    (1, ranked((1, True, 40, "a"), (2, True, 60, "b"), (3, False, 90, "c")),
     Reseat(seat=(3,), unseat=(2, 1))),
    (2, [], Reseat()),
])
def test_seats_to_the_most_ready(capacity, candidates, expected):
    assert seating.most_ready(candidates, capacity) == expected
    assert seating.most_ready(candidates, capacity).changes is (expected != Reseat())


def test_who_gives_up_a_seat_heads_the_waiting_list_in_order():
    assert seating.head_of_list([5, 6, 7]) == [(5, -3), (6, -2), (7, -1)]
    assert seating.head_of_list([]) == []
    positions = [position for _owner, position in seating.head_of_list([5, 6])]
    assert all(position < 1 for position in positions)  # before number 1 of the waiting list
