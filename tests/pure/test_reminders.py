"""Due-time logic of reminders, as pure functions on fixed clocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.config import parse_offset
from bot.reminder_policy import Due, due_times, plan, reminder_ref, time_left, worth_sending

WIB = ZoneInfo("Asia/Jakarta")
START = datetime(2027, 10, 6, 9, 0, tzinfo=WIB)  # Rabu, 6 Oktober 2027 09.00 WIB
CREATED = datetime(2027, 9, 1, 9, 0, tzinfo=WIB)
OFFSETS = [parse_offset(o) for o in ("7d", "1d", "2h")]
D7, D1, H2 = OFFSETS


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A moment in October 2027, WIB."""
    return datetime(2027, 10, day, hour, minute, second, tzinfo=WIB)


def test_due_times_are_in_the_sessions_zone_earliest_first():
    assert due_times(START, OFFSETS) == (
        Due(D7, datetime(2027, 9, 29, 9, 0, tzinfo=WIB)),
        Due(D1, at(5, 9)),
        Due(H2, at(6, 7)),
    )
    # The same moments in UTC: 09.00 WIB is 02.00 UTC.
    assert due_times(START, [D1])[0].at.astimezone(UTC) == datetime(2027, 10, 5, 2, 0,
                                                                   tzinfo=UTC)
    assert due_times(START, [parse_offset("30m")])[0].at == at(6, 8, 30)


@pytest.mark.parametrize(("since", "now", "send_now", "later"), [
    # Created a month ahead, nothing due yet: all three are scheduled.
    (CREATED, CREATED, None, (D7, D1, H2)),
    # Exactly at a due time, that reminder is due now.
    (CREATED, datetime(2027, 9, 29, 9, 0, tzinfo=WIB), D7, (D1, H2)),
    # Down from before the 7-day reminder until after the 1-day one: only the 1-day is sent.
    (CREATED, at(5, 10), D1, (H2,)),
    # Down across all three, back an hour before the start: only the 2-hour one.
    (CREATED, at(6, 8), H2, ()),
    # Back after the start: nothing at all.
    (CREATED, at(6, 9), None, ()),
    (CREATED, at(7, 9), None, ()),
    # Created (or moved) 3 days before: the 7-day reminder never existed for it.
    (at(3, 9), at(3, 9), None, (D1, H2)),
    (at(3, 9), at(5, 12), D1, (H2,)),
    # Moved at 08.00 on the day: the 2-hour reminder (07.00) is replaced by the move notice.
    (at(6, 8), at(6, 8), None, ()),
])
def test_plan(since, now, send_now, later):
    result = plan(START, OFFSETS, since, now)
    assert (result.send_now.offset if result.send_now else None) == send_now
    assert tuple(d.offset for d in result.later) == later


@pytest.mark.parametrize(("offset", "now", "expected"), [
    (D1, at(5, 9), True),  # on time
    (D1, at(5, 9) - timedelta(seconds=1), True),  # a job may fire a moment early on a test clock
    (D1, at(6, 6, 59), True),  # late, but the 2-hour one is not due yet
    (D1, at(6, 7), False),  # so late that the 2-hour one is due: that one goes instead
    (H2, at(6, 8, 59), True),
    (H2, at(6, 9), False),  # the session has started
    (D7, at(5, 9), False),
    (12345, at(5, 9), False),  # an offset no longer configured
])
def test_worth_sending_when_a_job_runs_late(offset, now, expected):
    assert worth_sending(START, OFFSETS, offset, CREATED, now) is expected


def test_a_moved_session_reminds_again_under_a_new_ref():
    moved = START + timedelta(days=2)
    assert reminder_ref(3, D1, START) != reminder_ref(3, D1, moved)
    assert reminder_ref(3, D1, START) == reminder_ref(3, D1, START.astimezone(UTC))
    # Moved later on 5 October (after the old 1-day reminder went out): the new 1-day and
    # 2-hour reminders are scheduled for the new date.
    result = plan(moved, OFFSETS, at(5, 12), at(5, 12))
    assert [d.at for d in result.later] == [at(7, 9), at(8, 7)]
    # Moved earlier, to 4 hours from now: only the 2-hour reminder remains.
    soon = at(5, 16)
    assert [d.offset for d in plan(soon, OFFSETS, at(5, 12), at(5, 12)).later] == [H2]


@pytest.mark.parametrize(("now", "expected"), [
    (datetime(2027, 9, 29, 9, 0, 5, tzinfo=WIB), ("days", 7)),
    (at(5, 9, 0, 30), ("days", 1)),
    (at(5, 13), ("hours", 20)),
    (at(6, 7), ("hours", 2)),
    (at(6, 8, 30), ("minutes", 30)),
    (at(6, 10), ("minutes", 0)),
])
def test_time_left_as_people_say_it(now, expected):
    assert time_left(START, now) == expected
