"""Staff run a session's life cycle and the interest lists through the core, one step at a time."""

from __future__ import annotations

from datetime import UTC, datetime

from bot import reminder_jobs as reminders
from bot.channel import plain_text
from bot.cli import FEATURES
from bot.core import Core
from bot.i18n import Catalogs
from bot.storage import Database
from bot.storage.outbox import SendResult
from tests.support.config import STAFF_ID
from tests.support.owner import Owner
from tests.support.sessionkit import START, deliver, eligible, outbox, session


def staff(core) -> Owner:
    return Owner(core, user_id=str(STAFF_ID), language_code="en")


async def actions(core) -> list[tuple[str, int | None]]:
    return [(e.action, e.audience) for e in reversed(await core.db.staff.audit_entries())]


async def test_staff_create_a_session_one_question_at_a_time(core, clock):
    member = staff(core)
    await member.say("/staf")
    await member.tap("Manage sessions")
    assert "There are no sessions yet" in member.text()
    await member.tap("New session")
    assert "step 1 of 4" in member.text() and "title of the session" in member.text()
    await member.say("Pelatihan Ekspor <Oktober> 2027")
    assert "When does it start?" in member.text()
    await member.say("besok pagi")
    assert "I could not read that date" in member.text() and "When does it start?" in \
        member.text()
    await member.say("1/8/2027 09.00")
    assert "That moment has passed" in member.text()
    await member.say("Rabu, 6 Oktober 2027 pukul 09.00")
    assert "Where does it take place?" in member.text()
    await member.say("Aula Dindagkop-UKM, Jl. Sriwijaya No. 44")
    assert "How many seats" in member.text()
    await member.say("banyak")
    assert "Please type the number of seats, from 1 to 10,000" in member.text()
    await member.tap("30")
    confirm = member.text()
    assert "Title: Pelatihan Ekspor <Oktober> 2027" in confirm
    assert "Starts: Wednesday, 6 October 2027 at 9:00\u202fAM WIB" in confirm
    assert "Seats: 30" in confirm
    assert await core.db.sessions.active() == []  # nothing before the confirmation
    await member.tap("Create")
    assert "The session is created" in member.text()
    (created,) = await core.db.sessions.active()
    assert (created.title, created.starts_at, created.capacity, created.year, created.status) \
        == ("Pelatihan Ekspor <Oktober> 2027", START, 30, 2027, "open")
    assert "Pelatihan Ekspor &lt;Oktober&gt; 2027" in member.last[-1].text  # escaped
    assert "Reminders still to send:" in member.text()
    assert await core.db.staff.flow("telegram", str(STAFF_ID)) is None
    assert await actions(core) == [("session.create", None)]


async def test_a_staff_conversation_survives_a_restart_and_batal_ends_it(core, clock, config):
    member = staff(core)
    await member.say("/sesi")
    await member.tap("New session")
    await member.say("Pelatihan Ekspor Maret 2028")
    db = await Database.open(config.database)  # the bot restarts: a new core, same file
    try:
        again = Owner(Core(config, db, Catalogs(config.time_zone), FEATURES, clock=clock),
                      user_id=str(STAFF_ID), language_code="en")
        await again.say("1/3/2028 09.00")
        assert "Where does it take place?" in again.text()
        await again.say("/batal")
        assert "Cancelled" in again.text()
        await again.say("Aula")
        assert "Where does it take place?" not in again.text()
    finally:
        await db.close()
    assert await core.db.sessions.active() == []


async def test_owners_cannot_reach_staff_session_tools(core, clock):
    s = await session(core.db, clock())
    owner = Owner(core, user_id="1001", language_code="en")
    await owner.say("/sesi")
    assert "I don't know that command" in owner.text() and "/sesi" not in owner.text()
    for forged in ("newsession", f"session:cancel:{s.id}", "sessionreply:yes", "intlist:open:2027",
                   "menu:sesi", "menu:daftarminat"):
        await owner.press(forged)
        assert "no longer works" in owner.text(), forged
    assert (await core.db.sessions.get(s.id)).status == "open"
    assert await core.db.interest.lists() == []


async def test_staff_edit_move_close_reopen_and_cancel_a_session(core, clock):
    s = await session(core.db, clock(), capacity=1)
    first = await eligible(core.db, 1001, clock())
    second = await eligible(core.db, 1002, clock(), language="id")
    await Owner(core, "1001", "en").press(f"signup:join:{s.id}")
    await Owner(core, "1002", "id").press(f"signup:join:{s.id}")
    member = staff(core)
    await member.press(f"session:show:{s.id}")
    assert "Registered: 1 of 1" in member.text() and "Waiting list: 1" in member.text()
    # Edit: two seats move the waiting list up.
    await member.tap("Edit")
    await member.tap("Number of seats")
    assert "Now: 1" in member.text()
    await member.say("2")
    assert "Change the number of seats of Pelatihan Ekspor Oktober 2027 to 2?" in member.text()
    await member.say("ya")
    assert "Saved" in member.text() and "Registered: 2 of 2" in member.text()
    assert (await core.db.registrations.get(s.id, second)).status == "registered"
    # Move: everyone signed up is told, reminders follow.
    await member.tap("Move")
    await member.say("8/10/2027 13.00")
    assert "From: Wednesday, 6 October 2027" in member.text()
    assert "To: Friday, 8 October 2027 at 1:00\u202fPM WIB" in member.text()
    assert "2 owners (registered or waiting) will be told" in member.text()
    await member.tap("Move")
    assert "Moved. 2 owners will be told." in member.text()
    assert (await core.db.sessions.get(s.id)).starts_at == datetime(2027, 10, 8, 6, 0, tzinfo=UTC)
    # Close and reopen sign-up.
    await member.tap("Close sign-up")
    await member.tap("Close sign-up")
    assert (await core.db.sessions.get(s.id)).status == "closed"
    await member.tap("Open sign-up again")
    await member.tap("Open sign-up")
    assert (await core.db.sessions.get(s.id)).status == "full"
    # Cancel: confirmed, told, and nothing else can be done with it.
    await member.tap("Cancel the session")
    assert "This cannot be undone" in member.text()
    await member.tap("Stop")
    assert (await core.db.sessions.get(s.id)).status == "full"
    await member.press(f"session:cancel:{s.id}")
    await member.tap("Cancel the session")
    assert "The session is cancelled. 2 owners will be told." in member.text()
    assert (await core.db.sessions.get(s.id)).status == "cancelled"
    await member.press(f"session:move:{s.id}")
    assert "can no longer be changed" in member.text()
    assert await actions(core) == [
        ("session.edit", 1), ("session.move", 2), ("session.close", None),
        ("session.reopen", None), ("session.cancel", 2)]
    kinds = [(owner, kind) for owner, kind, _ref, _status in await outbox(core.db)]
    assert kinds == [(second, "seat"), (first, "session_moved"), (second, "session_moved"),
                     (first, "session_cancelled"), (second, "session_cancelled")]
    # Rendered when sent: the seat and the move are no longer worth sending; the cancellation is.
    sent = {(owner, plain_text(reply.text)) for owner, reply in await deliver(core) if reply}
    assert {owner for owner, _text in sent} == {first, second}
    assert any("Jumat, 8 Oktober 2027 pukul 13.00 WIB" in text and "dibatalkan" in text
               for owner, text in sent if owner == second)
    assert len(sent) == 2


async def test_a_moved_notice_says_the_old_and_new_date(core, clock):
    s = await session(core.db, clock())
    owner = await eligible(core.db, 1001, clock())
    await Owner(core, "1001", "en").press(f"signup:join:{s.id}")
    await Owner(core, "1001", "en").press(f"attend:yes:{s.id}")
    member = staff(core)
    await member.press(f"session:move:{s.id}")
    await member.say("2027-10-13 09:00")
    await member.say("yes")
    ((owner_id, reply),) = await deliver(core)
    text = plain_text(reply.text)
    assert owner_id == owner and "New date" in text
    assert "Wednesday, 13 October 2027 at 9:00\u202fAM WIB" in text
    assert "(It was Wednesday, 6 October 2027 at 9:00\u202fAM WIB.)" in text
    assert [b.data for row in reply.buttons for b in row] == [f"attend:yes:{s.id}",
                                                              f"attend:no:{s.id}"]
    assert (await core.db.registrations.get(s.id, owner)).attendance is None


async def test_staff_see_who_signed_up_ranked_by_readiness(core, clock):
    s = await session(core.db, clock(), capacity=2)
    for user, name, score in ((1001, "Ani Lestari", 60), (1002, "Budi Santoso", 95),
                              (1003, "Citra Dewi", 99)):
        await eligible(core.db, user, clock(), name=name, readiness=score)
        await Owner(core, str(user), "en").press(f"signup:join:{s.id}")
    await Owner(core, "1001", "en").press(f"attend:yes:{s.id}")
    member = staff(core)
    await member.press(f"seats:people:{s.id}")
    text = member.text()
    assert "1. Budi Santoso (Usaha Budi) · readiness 95" in text
    assert "2. Ani Lestari (Usaha Ani) · readiness 60 · ✅" in text
    assert "Waiting list (1)" in text and "1. Citra Dewi (Usaha Citra) · readiness 99" in text


async def test_seeding_from_config_twice_changes_nothing(tmp_path, clock):
    from bot.config import load_config
    from tests.support.config import write_config

    config = load_config(write_config(tmp_path, """
[[sessions]]
key = "2027-10"
title = "Pelatihan Ekspor Oktober 2027"
starts_at = "2027-10-06 09:00"
place = "Aula"
capacity = 25
"""), env={})
    db = await Database.open(config.database)
    try:
        core = Core(config, db, Catalogs(config.time_zone), FEATURES, clock=clock)
        assert await reminders.seed(core) == 1
        assert await reminders.seed(core) == 0
        (seeded,) = await db.sessions.active()
        assert (seeded.key, seeded.starts_at, seeded.capacity, seeded.year) == (
            "2027-10", START, 25, 2027)
    finally:
        await db.close()


async def test_interest_lists_from_opening_to_invitations(core, clock):
    last_year = await eligible(core.db, 1001, clock())
    not_yet = await eligible(core.db, 1002, clock(), eligible=False, language="id")
    await eligible(core.db, 1003, clock())  # eligible, not interested: not invited
    await core.db.interest.open(2026, clock())
    await core.db.interest.join(2026, last_year, clock())
    member = staff(core)
    await member.say("/daftarminat")
    assert "2026: open, 1 owner" in member.text()
    await member.tap("Open the 2027 list")
    assert "Owners can then join it from the menu" in member.text()
    await member.tap("Open the list")
    assert "The 2027 interest list is open" in member.text()
    await member.tap("Invite 2027")
    assert "Invite 2 owners to join the 2027 list?" in member.text()
    await member.tap("Send the invitations")
    assert "2 invitations are on their way" in member.text()
    await member.tap("Invite 2027")
    # Nobody is invited twice; with nobody left, it says so instead of asking to confirm.
    assert "There is nobody to invite to the 2027 list" in member.text()
    assert "Send the invitations" not in [b.label for r in member.last
                                          for row in getattr(r, "buttons", ()) for b in row]
    await member.say("/daftarminat")
    assert "invitations: 0 sent · 2 still to send · 0 not reached" in member.text()
    invitations = {owner: reply for owner, reply in await deliver(core)}
    outcomes = [SendResult(item_id, "sent" if owner == last_year else "blocked", 1)
                for item_id, owner in await core.db.all(
                    "SELECT id, owner_id FROM outbox WHERE kind = 'invitation'")]
    await core.db.outbox.finish(outcomes, clock())
    await member.say("/daftarminat")
    assert "invitations: 1 sent · 0 still to send · 1 not reached" in member.text()
    assert set(invitations) == {last_year, not_yet}
    assert "Daftar minat pelatihan ekspor 2027" in plain_text(invitations[not_yet].text) or \
        "2027" in plain_text(invitations[not_yet].text)
    owner = Owner(core, "1002", "id")
    await owner.press(invitations[not_yet].buttons[0][0].data)
    assert 2027 in await core.db.interest.years_of(not_yet)
    await owner.say("/minat")
    await owner.tap("Keluar")
    assert await core.db.interest.years_of(not_yet) == []
    await member.say("/daftarminat")
    await member.tap("Close 2027")
    await member.tap("Close the list")
    await owner.press("interest:join:2027")
    assert "ditutup" in owner.text()
    assert [a for a, _n in await actions(core)] == [
        "interest.open", "interest.invite", "interest.close"]
    assert (await actions(core))[1] == ("interest.invite", 2)


async def test_owners_join_the_open_list_from_the_menu_with_one_tap(core, clock):
    await core.db.interest.open(2027, clock())
    owner_id = await eligible(core.db, 1001, clock(), eligible=False)
    owner = Owner(core, "1001", "en")
    await owner.say("/menu")
    await owner.tap("Join list 2027")
    assert "You are on the interest list for the 2027 export training" in owner.text()
    await owner.say("/datasaya")
    assert "Interest lists: 2027" in owner.text()
    await owner.say("/menu")
    await owner.tap("Leave list 2027")
    assert await core.db.interest.years_of(owner_id) == []
    newcomer = Owner(core, "1009", "en")
    await newcomer.press("interest:join:2027")
    assert "Do you agree?" in newcomer.text()
