"""Owners and sessions through the core: sign-up, waiting list, cancelling, attendance, data."""

from __future__ import annotations

from bot.channel import Reply, plain_text
from tests.support.owner import Owner, button, start, texts
from tests.support.script import ELIGIBLE
from tests.support.sessionkit import deliver, eligible, outbox, session


def buttons_of(replies) -> list[str]:
    return [b.label for r in replies for row in getattr(r, "buttons", ()) for b in row]


async def test_an_owner_goes_from_an_eligible_result_to_a_seat_and_cancels(core, clock):
    s = await session(core.db, clock())
    owner = Owner(core, language_code="en")
    await start(owner)
    await owner.run(ELIGIBLE.steps("en"))
    await owner.tap("Submit")
    assert "Good news" in owner.text()
    await owner.tap("📅 Sign up")
    listing = owner.text()
    assert "Pelatihan Ekspor Oktober 2027" in listing
    assert "Wednesday, 6 October 2027 at 9:00\u202fAM WIB" in listing
    assert "Aula Dindagkop-UKM" in listing and "30 of 30 seats free" in listing
    assert "Press a date to sign up" in listing
    await owner.tap("✍️ Wed, 6 Oct 2027")  # the date whole; "sign up" and the title beside it
    assert "You are registered!" in owner.text()
    stored = await core.db.owners.find("telegram", "1001")
    registration = await core.db.registrations.get(s.id, stored.id)
    assert registration.status == "registered" and registration.seated_at == clock()
    await owner.say("/jadwal")
    assert "You are registered." in owner.text() and "29 of 30" not in owner.text()
    await owner.say("/datasaya")
    assert "Your training sign-ups" in owner.text()
    assert "Pelatihan Ekspor Oktober 2027, Wednesday, 6 October 2027: registered" in owner.text()
    await owner.say("/batalikut")
    assert "Cancel your seat?" in owner.text()
    await owner.tap("Yes, cancel my seat")
    assert "is cancelled" in owner.text()
    registration = await core.db.registrations.get(s.id, stored.id)
    assert (registration.status, registration.attendance) == ("cancelled", "declined")
    await owner.say("/batalkan")  # the old name still works
    assert "You have no sign-ups to cancel" in owner.text()


async def test_dates_are_shown_in_the_owners_language(core, clock):
    await session(core.db, clock())
    await eligible(core.db, 2001, clock(), language="id")
    owner = Owner(core, user_id="2001", language_code="id")
    await owner.say("/jadwal")
    assert "Rabu, 6 Oktober 2027 pukul 09.00 WIB" in owner.text()
    assert "✍️ Rab, 6 Okt 2027" in buttons_of(owner.last)
    (sign_up,) = [b for r in owner.last for row in r.buttons for b in row]
    assert sign_up.description == "Daftar: Pelatihan Ekspor Oktober 2027"


async def test_not_yet_eligible_owners_are_told_why_and_what_to_fix(core, clock):
    s = await session(core.db, clock())
    await eligible(core.db, 1002, clock(), eligible=False, unmet=("nib",))
    owner = Owner(core, user_id="1002", language_code="en")
    await owner.say("/jadwal")
    text = owner.text()
    assert "Pelatihan Ekspor Oktober 2027" in text  # they still see the sessions
    assert "You cannot sign up yet" in text and "oss.go.id" in text
    assert "Dindagkop-UKM Kota Pekalongan" in text  # who to ask
    assert len(owner.last) == 1  # the sessions and what is missing in one message
    assert not any(label.startswith("✍️") for label in buttons_of(owner.last))
    assert "✏️ Change answers" in buttons_of(owner.last)
    await owner.press(f"signup:join:{s.id}")  # a forged or stale sign-up button
    assert "You cannot sign up yet" in owner.text()
    assert await outbox(core.db) == []
    assert (await core.db.registrations.seats([s.id]))[s.id].registered == 0
    stranger = Owner(core, user_id="1003", language_code="en")
    await stranger.say("/jadwal")
    assert "first check whether your business meets the requirements" in stranger.text()
    await stranger.press(f"signup:join:{s.id}")
    assert "first check whether your business meets the requirements" in stranger.text()


async def test_a_full_session_puts_owners_on_the_waiting_list_which_moves_up(core, clock):
    s = await session(core.db, clock(), capacity=1)
    first = await eligible(core.db, 1001, clock())
    second = await eligible(core.db, 1002, clock(), language="id")
    a, b = Owner(core, "1001", "en"), Owner(core, "1002", "id")
    await a.press(f"signup:join:{s.id}")
    await b.say("/jadwal")
    assert "Penuh. Anda bisa masuk daftar tunggu sebagai nomor 1." in b.text()
    await b.tap("⏳")
    assert "daftar tunggu: nomor 1" in b.text()
    await a.say("/batalikut")
    await a.tap("Yes, cancel my seat")
    assert await outbox(core.db, "seat") == [(second, "seat", f"seat:{s.id}:2027-09-01T02:00:00"
                                              "+00:00", "queued")]
    ((owner_id, notice),) = await deliver(core)
    assert owner_id == second
    assert "kursi kosong, dan kursi itu untuk Anda" in plain_text(notice.text)
    assert "Rabu, 6 Oktober 2027 pukul 09.00 WIB" in notice.text
    await b.press(button([notice], "Ya, saya datang"))
    assert (await core.db.registrations.get(s.id, second)).attendance == "confirmed"
    assert (await core.db.registrations.get(s.id, first)).status == "cancelled"


async def test_double_presses_stale_and_forged_buttons_get_a_friendly_answer(core, clock):
    s = await session(core.db, clock())
    await eligible(core.db, 1001, clock())
    owner = Owner(core, "1001", "en")
    await owner.press(f"signup:join:{s.id}")
    await owner.press(f"signup:join:{s.id}")
    assert "already registered" in owner.text()
    for forged in ("signup:join:abc", "signup:join:99999", "signup:explode:1", "signup:join:",
                   "attend:yes:x", "attend:maybe:1", f"signup:join:{'9' * 40}"):
        await owner.press(forged)
        assert "no longer works" in owner.text(), forged
    await owner.press("attend:yes:99999")
    assert "no longer open" in owner.text()
    await core.db.registrations.withdraw(s.id, (await core.db.owners.find("telegram", "1001")).id,
                                    clock())
    await owner.press(f"attend:yes:{s.id}")
    assert "You do not have a seat" in owner.text()
    await owner.press(f"signup:dropok:{s.id}")
    assert "You are not signed up" in owner.text()
    assert (await core.db.registrations.seats([s.id]))[s.id].registered == 0


async def test_a_cancelled_or_closed_session_takes_no_sign_up(core, clock):
    s = await session(core.db, clock())
    await eligible(core.db, 1001, clock())
    owner = Owner(core, "1001", "en")
    await core.db.sessions.close(s.id, clock())
    await owner.press(f"signup:join:{s.id}")
    assert "Sign-up for this session is closed" in owner.text()
    assert "no training sessions open for sign-up" in owner.text()


async def test_erasing_an_owner_gives_their_seat_to_the_waiting_list(core, clock):
    s = await session(core.db, clock(), capacity=1)
    await eligible(core.db, 1001, clock())
    waiting = await eligible(core.db, 1002, clock())
    await Owner(core, "1001", "en").press(f"signup:join:{s.id}")
    await Owner(core, "1002", "en").press(f"signup:join:{s.id}")
    leaving = Owner(core, "1001", "en")
    await leaving.say("/hapusdata")
    await leaving.tap("Yes, delete all")
    assert "All your data has been deleted" in leaving.text()
    assert (await core.db.registrations.get(s.id, waiting)).status == "registered"
    assert [row[:2] for row in await outbox(core.db)] == [(waiting, "seat")]


async def test_attendance_from_a_seat_notice_is_stored_and_cancel_asks_first(core, clock):
    s = await session(core.db, clock())
    owner_id = await eligible(core.db, 1001, clock())
    owner = Owner(core, "1001", "en")
    await owner.press(f"signup:join:{s.id}")
    await owner.press(f"attend:yes:{s.id}")
    assert "attendance is confirmed" in owner.text()
    assert (await core.db.registrations.seats([s.id]))[s.id].confirmed == 1
    await owner.press(f"attend:no:{s.id}")
    assert "Cancel your seat?" in owner.text()
    await owner.tap("No, keep it")
    assert "kept" in owner.text()
    assert (await core.db.registrations.get(s.id, owner_id)).status == "registered"
    await owner.press(f"attend:no:{s.id}")
    await owner.tap("Yes, cancel my seat")
    seats = (await core.db.registrations.seats([s.id]))[s.id]
    assert (seats.registered, seats.cancelled) == (0, 1)


async def test_the_menu_leads_to_the_sessions(core, clock):
    await session(core.db, clock())
    owner = Owner(core, "1001", "en")
    await owner.say("/menu")
    assert "📅 Training sessions" in buttons_of(owner.last)
    await owner.tap("Training sessions")
    assert any(isinstance(r, Reply) and "Export training sessions" in r.text
               for r in owner.last)
    assert "/schedule — Training sessions, sign up" in texts(
        await owner.say("/bantuan"))


async def test_a_registrant_still_sees_a_session_whose_sign_up_staff_closed(core, clock):
    s = await session(core.db, clock())
    await eligible(core.db, 1001, clock())
    owner = Owner(core, "1001", "en")
    await owner.press(f"signup:join:{s.id}")
    await core.db.sessions.close(s.id, clock())
    await owner.say("/jadwal")
    assert "You are registered." in owner.text()
    assert buttons_of(owner.last) == ["❌ Wed, 6 Oct 2027"]
    other = Owner(core, "1002", "en")
    await eligible(core.db, 1002, clock())
    await other.say("/jadwal")
    assert "no training sessions open for sign-up" in other.text()
