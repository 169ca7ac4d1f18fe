"""Staff choose who gets a seat instead of first come, first served, and mark who came."""

from __future__ import annotations

from datetime import timedelta

from bot.channel import Reply, plain_text
from bot.storage.registrations import Seats
from bot.storage.reports import Reports
from tests.support.config import STAFF_ID
from tests.support.owner import Owner
from tests.support.sessionkit import START, deliver, eligible, outbox, session


def staff(core) -> Owner:
    return Owner(core, user_id=str(STAFF_ID), language_code="en")


async def full_session(core, clock):
    """Two seats taken by Ani (60) and Budi (95); Citra (99) and Dewi (70) wait, in that order."""
    s = await session(core.db, clock(), capacity=2)
    ids = {}
    for user, name, score in ((1001, "Ani Lestari", 60), (1002, "Budi Santoso", 95),
                              (1003, "Citra Dewi", 99), (1004, "Dewi Sartika", 70)):
        ids[name.split()[0]] = await eligible(core.db, user, clock(), name=name, readiness=score,
                                              language="id" if user == 1001 else "en")
        await Owner(core, str(user), "en").press(f"signup:join:{s.id}")
    await Owner(core, "1001", "id").press(f"attend:yes:{s.id}")
    return s, ids


async def test_staff_give_a_waiting_owner_the_seat_of_a_less_ready_one(core, clock):
    s, ids = await full_session(core, clock)
    member = staff(core)
    await member.press(f"seats:people:{s.id}")
    await member.tap("Give a seat")
    text = member.text()
    assert "most ready first" in text
    assert text.index("Citra Dewi") < text.index("Dewi Sartika")  # by readiness, not position
    await member.tap("Citra Dewi")
    assert "The session is full. Whose seat should Citra Dewi (Usaha Citra) · readiness 99 " \
        "take?" in member.text()
    labels = [b.label for r in member.last for row in r.buttons for b in row]
    assert labels[:2] == ["✅ Ani Lestari · 60", "Budi Santoso · 95"]  # least ready first
    await member.tap("Ani Lestari")
    confirm = member.text()
    assert "Give the seat of Ani Lestari (Usaha Ani) · readiness 60 to Citra Dewi" in confirm
    assert "They have confirmed that they will come" in confirm
    assert (await core.db.registrations.get(s.id, ids["Ani"])).status == "registered"
    give = member.last
    await member.tap("Give the seat")
    assert "Done. The chosen owner has the seat; the other is number 1 on the waiting list" \
        in member.text()
    assert "Registered (2)" in member.text()
    citra = await core.db.registrations.get(s.id, ids["Citra"])
    ani = await core.db.registrations.get(s.id, ids["Ani"])
    dewi = await core.db.registrations.get(s.id, ids["Dewi"])
    assert (citra.status, citra.position, citra.seated_at) == ("registered", None, clock())
    assert (ani.status, ani.position, ani.attendance, ani.seated_at) == ("waiting", 1, None, None)
    assert (dewi.status, dewi.position) == ("waiting", 2)
    # The same button pressed again changes nothing.
    member.last = give
    await member.tap("Give the seat")
    assert "no longer on the waiting list. Nothing was changed" in member.text()
    assert (await core.db.registrations.get(s.id, ids["Ani"])).position == 1
    assert [(o, k) for o, k, _r, _s in await outbox(core.db)] == [
        (ids["Citra"], "seat"), (ids["Ani"], "seat_lost")]
    told = {owner: plain_text(reply.text) for owner, reply in await deliver(core)}
    assert "the office has chosen you for a seat" in told[ids["Citra"]]
    assert "kursi Anda diberikan kepada usaha lain" in told[ids["Ani"]]
    assert "nomor 1 di daftar tunggu" in told[ids["Ani"]]
    entries = await core.db.staff.audit_entries()
    assert [(e.action, e.audience) for e in entries] == [("session.choose", 2)]
    # When a seat frees up, the one who gave theirs up is first in line.
    await Owner(core, "1002", "en").press(f"signup:dropok:{s.id}")
    assert (await core.db.registrations.get(s.id, ids["Ani"])).status == "registered"


async def test_a_seat_notice_is_not_sent_to_someone_seated_again_meanwhile(core, clock):
    s, ids = await full_session(core, clock)
    member = staff(core)
    await member.press(f"seatswap:{s.id}:{ids['Citra']}:{ids['Ani']}")
    await member.tap("Give the seat")
    await Owner(core, "1002", "en").press(f"signup:dropok:{s.id}")  # Ani moves up again
    kinds = {(owner, kind): reply for (owner, reply), (_o, kind, _r, _s) in
             zip(await deliver(core), await outbox(core.db), strict=True)}
    assert kinds[(ids["Ani"], "seat_lost")] is None  # no longer true: not sent
    assert kinds[(ids["Ani"], "seat")] is not None


async def test_choosing_is_refused_for_forged_stale_or_finished_cases(core, clock):
    s, ids = await full_session(core, clock)
    owner = Owner(core, "1003", "en")
    await owner.press(f"seatgive:{s.id}:{ids['Citra']}:{ids['Ani']}")
    assert "no longer works" in owner.text()
    await owner.press(f"rollmark:{s.id}:{ids['Ani']}:1:0")
    assert "no longer works" in owner.text()
    member = staff(core)
    for forged in ("stseat:seat", "stseat:seat:x:1:2", f"stseat:bogus:{s.id}",
                   f"stseat:seat:{s.id}:99999999999999999999:1", "stseat:choose:424242",
                   "seatgive", "seatgive:x:1:2", f"seats:bogus:{s.id}", f"seats:{s.id}",
                   f"seatgive:{s.id}:99999999999999999999:1", "seats:choose:424242"):
        await member.press(forged)
        assert "no longer works" in member.text(), forged
    # Budi holds a seat, so he cannot be "given" one; Dewi cannot take a waiting owner's seat.
    await member.press(f"seatgive:{s.id}:{ids['Budi']}:{ids['Ani']}")
    assert "no longer on the waiting list" in member.text()
    await member.press(f"seatgive:{s.id}:{ids['Dewi']}:{ids['Citra']}")
    assert "no longer holds a seat" in member.text()
    # No free seat: giving one without taking another's is refused, and staff are asked whose.
    await member.press(f"seatgive:{s.id}:{ids['Dewi']}:0")
    assert "the last seat was taken" in member.text() and "Whose seat" in member.text()
    clock.now = START + timedelta(minutes=1)  # the session has begun
    await member.press(f"seatswap:{s.id}:{ids['Citra']}:{ids['Ani']}")
    assert "can no longer be changed" in member.text()
    assert await core.db.registrations.seats([s.id]) == {s.id: Seats(2, 1, 0, 2)}
    assert await core.db.staff.audit_entries() == []


async def test_the_waiting_list_pages_when_it_is_long(core, clock):
    s = await session(core.db, clock(), capacity=1)
    for n in range(12):
        await eligible(core.db, 2000 + n, clock(), name=f"Owner {n:02d}", readiness=50 + n)
        await Owner(core, str(2000 + n), "en").press(f"signup:join:{s.id}")
    member = staff(core)
    await member.press(f"seats:choose:{s.id}")
    first = [b.label for r in member.last for row in r.buttons for b in row]
    assert first[0] == "Owner 11 · 61" and "Next ▶️" in first and len(first) == 10
    await member.tap("Next")
    second = [b.label for r in member.last for row in r.buttons for b in row]
    assert second[:4] == ["Owner 03 · 53", "Owner 02 · 52", "Owner 01 · 51", "◀️ Previous"]
    await member.press(f"seats:choose:{s.id}:99")  # past the end: the last page
    assert [b.label for r in member.last for row in r.buttons for b in row] == second


async def test_staff_mark_who_came_and_the_funnel_counts_it(core, clock):
    s, ids = await full_session(core, clock)
    member = staff(core)
    await member.press(f"roll:{s.id}")
    assert "from the day before the session" in member.text()
    await member.press(f"session:show:{s.id}")
    assert "Mark who came" not in member.text()
    clock.now = START - timedelta(hours=2)  # the morning of the session
    await member.press(f"session:show:{s.id}")
    await member.tap("Mark who came")
    assert "Came: 0 · did not come: 0 · not marked: 2 (of 2 registered)" in member.text()
    await member.tap("Budi Santoso")
    (edit,) = [r for r in member.last if isinstance(r, Reply) and r.replace]
    assert "Came: 1 · did not come: 0 · not marked: 1" in plain_text(edit.text)
    labels = [b.label for row in edit.buttons for b in row]
    assert "✅ Budi Santoso · 95" in labels and "▫️ Ani Lestari · 60" in labels
    stale = member.last  # Budi is ✅: his button now marks "did not come"
    await member.tap("Budi Santoso")
    assert "Came: 0 · did not come: 1" in member.text()
    member.last = stale
    await member.tap("Budi Santoso")  # the old button pressed again changes nothing more
    assert "Came: 0 · did not come: 1" in member.text()
    assert (await core.db.registrations.get(s.id, ids["Budi"])).present is False
    await member.tap("Budi Santoso")  # from the list as it is now: he came after all
    await member.tap("The rest: absent")
    assert "Came: 1 · did not come: 1 · not marked: 0" in member.text()
    assert (await core.db.registrations.get(s.id, ids["Ani"])).present is False
    assert (await core.db.registrations.get(s.id, ids["Budi"])).present is True
    # The funnel: Ani confirmed and did not come, Budi came without confirming.
    (row,) = await Reports(core.db).funnel()
    assert row.counts[-2:] == (2, 1)
    await member.press(f"seats:people:{s.id}")
    assert "Budi Santoso (Usaha Budi) · readiness 95 · came" in member.text()
    assert "Ani Lestari (Usaha Ani) · readiness 60 · ✅ · did not come" in member.text()
    # Still possible after the session (it is done), and the owner sees it in /datasaya.
    clock.advance(days=2)
    await core.db.sessions.finish_started(clock())
    await member.press(f"roll:{s.id}")
    assert "Came: 1 · did not come: 1" in member.text()
    budi = Owner(core, "1002", "en")
    await budi.say("/datasaya")
    assert "Pelatihan Ekspor Oktober 2027" in budi.text() and "registered, came" in budi.text()
    assert [e.action for e in await core.db.staff.audit_entries()].count("session.present") == 4


async def test_staff_give_every_seat_to_the_most_ready_at_once(core, clock):
    s = await session(core.db, clock(), capacity=2)
    ids = {}
    for user, name, score in ((1001, "Ani Lestari", 60), (1002, "Dewi Sartika", 70),
                              (1003, "Citra Dewi", 99), (1004, "Budi Santoso", 95),
                              (1005, "Eko Prasetyo", 50)):
        ids[name.split()[0]] = await eligible(core.db, user, clock(), name=name, readiness=score)
        await Owner(core, str(user), "en").press(f"signup:join:{s.id}")
    await Owner(core, "1002", "en").press(f"attend:yes:{s.id}")
    member = staff(core)
    await member.press(f"seats:people:{s.id}")
    await member.tap("Most ready first")
    preview = member.text()
    assert "Give the 2 seats of Pelatihan Ekspor Oktober 2027 to the most ready owners?" \
        in preview
    assert "2 owners from the waiting list get a seat:" in preview
    assert preview.index("Citra Dewi") < preview.index("Budi Santoso") < preview.index(
        "go to the top of the waiting list") < preview.index("Dewi Sartika (Usaha Dewi) · "
                                                            "readiness 70 · ✅")
    assert "Eko" not in preview
    assert (await core.db.registrations.get(s.id, ids["Citra"])).status == "waiting"
    confirm = member.last
    await member.tap("Give the seats")
    assert "Done. 2 got a seat, 2 went to the waiting list" in member.text()
    state = {name: await core.db.registrations.get(s.id, owner)
             for name, owner in ids.items()}
    assert {n for n, r in state.items() if r.status == "registered"} == {"Citra", "Budi"}
    assert [(n, state[n].position) for n in ("Dewi", "Ani", "Eko")] == [
        ("Dewi", 1), ("Ani", 2), ("Eko", 3)]  # who gave up a seat first, most ready first
    assert state["Dewi"].attendance is None
    assert sorted(k for _o, k, _r, _s in await outbox(core.db)) == [
        "seat", "seat", "seat_lost", "seat_lost"]
    (entry,) = await core.db.staff.audit_entries()
    assert (entry.action, entry.audience) == ("session.choose_best", 4)
    # The old confirmation again: the seats are already right, nothing is done twice.
    member.last = confirm
    await member.tap("Give the seats")
    assert "changed meanwhile" in member.text() and "Nothing to change" in member.text()
    assert len(await outbox(core.db)) == 4
    # If the sign-ups change between preview and confirmation, staff see the new preview.
    await eligible(core.db, 1006, clock(), name="Fajar Nugroho", readiness=100)
    await Owner(core, "1006", "en").press(f"signup:join:{s.id}")
    await member.press(f"seats:best:{s.id}")
    assert "1 owner from the waiting list gets a seat:" in member.text()
    await eligible(core.db, 1007, clock(), name="Gita Permata", readiness=100)
    await Owner(core, "1007", "en").press(f"signup:join:{s.id}")
    await member.tap("Give the seats")
    assert "changed meanwhile" in member.text() and "Gita Permata" in member.text()
    assert (await core.db.registrations.get(s.id, ids["Budi"])).status == "registered"


async def test_one_seat_to_the_most_ready_is_asked_in_the_singular(core, clock):
    s = await session(core.db, clock(), capacity=1)
    for user, name, score in ((1001, "Ani Lestari", 60), (1002, "Citra Dewi", 99)):
        await eligible(core.db, user, clock(), name=name, readiness=score)
        await Owner(core, str(user), "en").press(f"signup:join:{s.id}")
    member = staff(core)
    await member.press(f"seats:people:{s.id}")
    await member.tap("Most ready first")
    assert "Give the 1 seat of Pelatihan Ekspor Oktober 2027 to the most ready owner?" \
        in member.text()
