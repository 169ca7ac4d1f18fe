"""Sessions, seats, the waiting list and interest lists on a temporary SQLite file."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.questions import BUSINESS_NAME, NAME
from bot.storage import Database

NOW = datetime(2027, 9, 1, 2, 0, tzinfo=UTC)
START = datetime(2027, 10, 6, 2, 0, tzinfo=UTC)  # Rabu, 6 Oktober 2027 09.00 WIB


@pytest.fixture
async def db(tmp_path):
    database = await Database.open(tmp_path / "s.sqlite3")
    yield database
    await database.close()


async def owners(db, count: int) -> list[int]:
    return [(await db.owners.create("telegram", str(n), str(n), "id", None, NOW)).id
            for n in range(1, count + 1)]


async def session(db, capacity: int = 2):
    return await db.sessions.create("Pelatihan Ekspor", START, "Aula", capacity, 2027, NOW)


async def test_seats_then_a_numbered_waiting_list(db):
    a, b, c, d = await owners(db, 4)
    s = await session(db, capacity=2)
    assert (await db.registrations.register(s.id, a, NOW)).outcome == "registered"
    assert (await db.sessions.get(s.id)).status == "open"
    assert (await db.registrations.register(s.id, b, NOW)).outcome == "registered"
    assert (await db.sessions.get(s.id)).status == "full"
    third = await db.registrations.register(s.id, c, NOW)
    fourth = await db.registrations.register(s.id, d, NOW)
    assert (third.outcome, third.registration.position) == ("waiting", 1)
    assert (fourth.outcome, fourth.registration.position) == ("waiting", 2)
    again = await db.registrations.register(s.id, a, NOW)
    assert again.outcome == "already" and again.registration.status == "registered"
    seats = (await db.registrations.seats([s.id]))[s.id]
    assert (seats.registered, seats.waiting, seats.cancelled) == (2, 2, 0)


async def test_a_cancelled_seat_goes_to_the_first_waiting_and_the_list_moves_up(db):
    a, b, c, d = await owners(db, 4)
    s = await session(db, capacity=2)
    for owner in (a, b, c, d):
        await db.registrations.register(s.id, owner, NOW)
    later = NOW + timedelta(days=1)
    freed = await db.registrations.withdraw(s.id, a, later)
    assert freed == type(freed)("registered", (c,))
    promoted = await db.registrations.get(s.id, c)
    assert (promoted.status, promoted.position, promoted.seated_at) == ("registered", None, later)
    assert (await db.registrations.get(s.id, d)).position == 1
    assert (await db.registrations.get(s.id, a)).attendance == "declined"
    assert (await db.sessions.get(s.id)).status == "full"
    # Leaving the waiting list frees no seat; nobody is promoted.
    assert await db.registrations.withdraw(s.id, d, later) == type(freed)("waiting", ())
    assert await db.registrations.withdraw(s.id, d, later) == type(freed)(None, ())
    await db.registrations.withdraw(s.id, b, later)
    assert (await db.sessions.get(s.id)).status == "open"


async def test_leaving_the_middle_of_the_waiting_list_renumbers_it(db):
    ids = await owners(db, 5)
    s = await session(db, capacity=1)
    for owner in ids:
        await db.registrations.register(s.id, owner, NOW)
    await db.registrations.withdraw(s.id, ids[2], NOW)
    places = [(await db.registrations.get(s.id, o)).position for o in ids[1:]]
    assert places == [1, None, 2, 3]


async def test_more_seats_move_the_waiting_list_up_fewer_take_no_seat_away(db):
    ids = await owners(db, 4)
    s = await session(db, capacity=1)
    for owner in ids:
        await db.registrations.register(s.id, owner, NOW)
    assert await db.sessions.edit(s.id, NOW, capacity=3) == (ids[1], ids[2])
    assert (await db.registrations.get(s.id, ids[3])).position == 1
    assert await db.sessions.edit(s.id, NOW, capacity=1, title="Baru") == ()
    seats = (await db.registrations.seats([s.id]))[s.id]
    assert seats.registered == 3 and (await db.sessions.get(s.id)).title == "Baru"


async def test_closed_cancelled_and_started_sessions_take_no_sign_up(db):
    a, b = await owners(db, 2)
    s = await session(db)
    assert await db.sessions.close(s.id, NOW)
    assert (await db.registrations.register(s.id, a, NOW)).outcome == "closed"
    assert await db.sessions.reopen(s.id, NOW)
    assert (await db.registrations.register(s.id, a, NOW)).outcome == "registered"
    assert (await db.registrations.register(s.id, b, START)).outcome == "closed"  # it has started
    assert await db.sessions.cancel(s.id, NOW)
    assert not await db.sessions.cancel(s.id, NOW)
    assert (await db.registrations.register(s.id, b, NOW)).outcome == "closed"
    assert (await db.registrations.register(999, b, NOW)).outcome == "missing"
    assert not await db.sessions.move(s.id, START + timedelta(days=1), 2027, NOW)


async def test_a_cancelled_owner_can_sign_up_again_at_the_end_of_the_line(db):
    a, b, c = await owners(db, 3)
    s = await session(db, capacity=1)
    for owner in (a, b, c):
        await db.registrations.register(s.id, owner, NOW)
    await db.registrations.withdraw(s.id, b, NOW)
    again = await db.registrations.register(s.id, b, NOW)
    assert (again.outcome, again.registration.position) == ("waiting", 2)


async def test_two_owners_racing_for_the_last_seat_get_one_seat_and_one_waiting_place(db):
    ids = await owners(db, 12)
    s = await session(db, capacity=10)
    for owner in ids[:9]:
        await db.registrations.register(s.id, owner, NOW)
    first, second = await asyncio.gather(db.registrations.register(s.id, ids[9], NOW),
                                         db.registrations.register(s.id, ids[10], NOW))
    assert sorted([first.outcome, second.outcome]) == ["registered", "waiting"]
    assert (await db.registrations.seats([s.id]))[s.id].registered == 10


async def test_attendance_is_only_for_seat_holders(db):
    a, b = await owners(db, 2)
    s = await session(db, capacity=1)
    await db.registrations.register(s.id, a, NOW)
    await db.registrations.register(s.id, b, NOW)
    assert (await db.registrations.attend(s.id, a, "confirmed", NOW)).attendance == "confirmed"
    assert await db.registrations.attend(s.id, b, "confirmed", NOW) is None
    assert (await db.registrations.seats([s.id]))[s.id].confirmed == 1


async def test_seeding_twice_changes_nothing_not_even_after_staff_edits(db):
    seed = [("2027-10", "Pelatihan Oktober", START, "Aula", 30, 2027)]
    assert await db.sessions.seed(seed, NOW) == 1
    (s,) = await db.sessions.active()
    await db.sessions.edit(s.id, NOW, title="Judul baru")
    assert await db.sessions.seed(seed, NOW) == 0
    (again,) = await db.sessions.active()
    assert (again.id, again.title, again.key) == (s.id, "Judul baru", "2027-10")


async def test_a_move_sets_the_time_reminders_count_from(db):
    s = await session(db)
    later = NOW + timedelta(days=3)
    assert await db.sessions.move(s.id, START + timedelta(days=7), 2027, later)
    moved = await db.sessions.get(s.id)
    assert (moved.starts_at, moved.start_set_at, moved.created_at) == (
        START + timedelta(days=7), later, NOW)


async def test_started_sessions_are_marked_done(db):
    s = await session(db)
    assert await db.sessions.finish_started(START - timedelta(seconds=1)) == 0
    assert await db.sessions.finish_started(START) == 1
    assert (await db.sessions.get(s.id)).status == "done"
    assert await db.sessions.active() == []


async def test_staff_see_registrants_by_readiness_then_the_waiting_list(db):
    a, b, c = await owners(db, 3)
    for owner, name, score in ((a, "Ani", 60), (b, "Budi", 90), (c, "Citra", 99)):
        await db.owners.save_step(owner, {"name": name, "business_name": f"Usaha {name}"}, (),
                                  None, (), None, NOW)
        await db.owners.finish(owner, True, score, {}, NOW)
    s = await session(db, capacity=2)
    for owner in (a, b, c):
        await db.registrations.register(s.id, owner, NOW)
    people = await db.registrations.people(s.id, NAME, BUSINESS_NAME)
    assert [(p.name, p.status, p.position) for p in people] == [
        ("Budi", "registered", None), ("Ani", "registered", None), ("Citra", "waiting", 1)]
    assert people[0].business == "Usaha Budi" and people[0].readiness == 90


async def test_interest_lists_open_close_join_leave(db):
    a, b = await owners(db, 2)
    assert await db.interest.join(2027, a, NOW) is False  # no list yet
    assert await db.interest.open(2027, NOW)
    assert not await db.interest.open(2027, NOW)
    assert await db.interest.join(2027, a, NOW)
    assert not await db.interest.join(2027, a, NOW)
    assert (await db.interest.latest_open()).members == 1
    assert await db.interest.close(2027, NOW)
    assert not await db.interest.join(2027, b, NOW)
    assert await db.interest.leave(2027, a)
    assert await db.interest.open(2027, NOW)  # reopened
    assert (await db.interest.get(2027)).is_open
    assert await db.interest.years_of(a) == []


async def test_invitations_reach_last_years_interested_and_not_yet_eligible(db):
    interested, not_eligible, eligible, no_consent, joined, blocked = await owners(db, 6)
    for owner in (interested, not_eligible, eligible, joined, blocked):
        await db.owners.consent(owner, "v1", "id", NOW)
    await db.owners.finish(not_eligible, False, 40, {}, NOW)
    await db.owners.finish(eligible, True, 90, {}, NOW)
    await db.owners.finish(no_consent, False, 40, {}, NOW)
    await db.owners.finish(blocked, False, 40, {}, NOW)
    await db.owners.mark_blocked(blocked, NOW)
    await db.interest.open(2026, NOW)
    await db.interest.join(2026, interested, NOW)
    await db.interest.open(2027, NOW)
    await db.owners.finish(joined, False, 10, {}, NOW)
    await db.interest.join(2027, joined, NOW)
    assert await db.interest.count_invited(2027) == 2
    assert await db.interest.count_to_invite(2027) == 2
    sql, params = db.interest.invited_sql(2027)
    assert await db.outbox.enqueue_owners("invitation", "invite:2027", {}, sql, params,
                                          NOW) == 2
    assert await db.interest.count_to_invite(2027) == 0  # invited once: nobody left
    rows = await db.all("SELECT owner_id FROM outbox ORDER BY owner_id")
    assert [r[0] for r in rows] == [interested, not_eligible]
