"""The staff actions (bot/actions) called directly, as the chat and the web page call them: each
changes storage, tells the owners concerned, and is audited under the acting staff member."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.actions import Actor, announcements, attendance, interest, seats, sessions
from bot.actions.announcements import Draft
from bot.storage.broadcasts import Audience
from bot.storage.outbox import SendResult
from tests.support.population import add_interest, add_owners, add_session, sign_up
from tests.support.sessionkit import START, eligible, outbox, session

# A staff member signed in on the web page through WhatsApp: named by the number in config,
# audited under the business-scoped user id, as the chat would audit the same person.
WEB = Actor("whatsapp", "ID.bsuid-7", "6281234567890")


async def audit(core) -> list[tuple[str, str, str, int | None]]:
    return [(e.channel, e.actor, e.action, e.audience)
            for e in reversed(await core.db.staff.audit_entries(100))]


async def test_a_session_is_created_edited_moved_closed_reopened_and_cancelled(core, clock):
    now = clock()
    assert (await sessions.create(core, WEB, now, title="Maret", starts_at=now - timedelta(
        minutes=1), place="Aula", capacity=2)).outcome == "passed"
    created = await sessions.create(core, WEB, now, title="Pelatihan Oktober", starts_at=START,
                                    place="Aula", capacity=1)
    assert created.outcome == "done" and created.session.status == "open"
    s = created.session
    ani = await eligible(core.db, 1001, now, name="Ani Lestari")
    budi = await eligible(core.db, 1002, now, name="Budi Santoso")
    await core.db.registrations.register(s.id, ani, now)
    await core.db.registrations.register(s.id, budi, now)
    edited = await sessions.edit(core, WEB, now, s.id, "capacity", 2)
    assert (edited.outcome, edited.promoted, edited.session.capacity) == ("done", (budi,), 2)
    assert [(o, k) for o, k, _r, _s in await outbox(core.db)] == [(budi, "seat")]
    assert (await sessions.move(core, WEB, now, s.id, now)).outcome == "passed"
    moved = await sessions.move(core, WEB, now, s.id, START + timedelta(days=2))
    assert (moved.outcome, moved.told, moved.before.starts_at, moved.session.starts_at) == (
        "done", 2, START, START + timedelta(days=2))
    assert (await sessions.close(core, WEB, now, s.id)).outcome == "done"
    assert (await sessions.close(core, WEB, now, s.id)).outcome == "unchanged"
    assert (await sessions.reopen(core, WEB, now, s.id)).session.status == "full"
    cancelled = await sessions.cancel(core, WEB, now, s.id)
    assert (cancelled.outcome, cancelled.told, cancelled.session.status) == ("done", 2,
                                                                             "cancelled")
    for again in (sessions.cancel(core, WEB, now, s.id), sessions.close(core, WEB, now, s.id),
                  sessions.edit(core, WEB, now, s.id, "title", "X"),
                  sessions.move(core, WEB, now, s.id, START)):
        assert (await again).outcome == "inactive"
    assert sorted(k for _o, k, _r, _s in await outbox(core.db)) == [
        "seat", "session_cancelled", "session_cancelled", "session_moved", "session_moved"]
    assert await audit(core) == [
        ("whatsapp", "ID.bsuid-7", "session.create", None),
        ("whatsapp", "ID.bsuid-7", "session.edit", 1),
        ("whatsapp", "ID.bsuid-7", "session.move", 2),
        ("whatsapp", "ID.bsuid-7", "session.close", None),
        ("whatsapp", "ID.bsuid-7", "session.reopen", None),
        ("whatsapp", "ID.bsuid-7", "session.cancel", 2)]
    with pytest.raises(ValueError):
        await sessions.edit(core, WEB, now, s.id, "status", "open")


async def test_a_created_session_gets_its_reminder_jobs_at_once(core, clock):
    await core.start([])
    try:
        created = await sessions.create(core, WEB, clock(), title="Oktober", starts_at=START,
                                        place="Aula", capacity=30)
        jobs = {job.id for job in core.scheduler.get_jobs()}
        assert {f"reminder:{created.session.id}:{o}" for o in core.config.reminders.offsets} \
            <= jobs
        await sessions.cancel(core, WEB, clock(), created.session.id)
        assert not [j for j in core.scheduler.get_jobs() if j.id.startswith("reminder:")]
    finally:
        await core.stop()


async def full(core, clock):
    """Two seats: Ani (60) and Budi (95) hold them; Citra (99) and Dewi (70) wait."""
    s = await session(core.db, clock(), capacity=2)
    ids = {}
    for user, name, score in ((1001, "Ani Lestari", 60), (1002, "Budi Santoso", 95),
                              (1003, "Citra Dewi", 99), (1004, "Dewi Sartika", 70)):
        ids[name[0]] = await eligible(core.db, user, clock(), name=name, readiness=score)
        await core.db.registrations.register(s.id, ids[name[0]], clock())
    return s, ids


async def test_giving_a_seat_checks_again_and_tells_both(core, clock):
    s, ids = await full(core, clock)
    now = clock()
    assert (await seats.give_seat(core, WEB, now, s.id, ids["D"])).outcome == "full"
    assert (await seats.give_seat(core, WEB, now, s.id, ids["B"], ids["A"])).outcome \
        == "not_waiting"
    assert (await seats.give_seat(core, WEB, now, s.id, ids["D"], ids["C"])).outcome \
        == "not_registered"
    swapped = await seats.give_seat(core, WEB, now, s.id, ids["C"], ids["A"])
    assert (swapped.outcome, swapped.position, swapped.done) == ("swapped", 1, True)
    assert [(o, k) for o, k, _r, _s in await outbox(core.db)] == [(ids["C"], "seat"),
                                                                    (ids["A"], "seat_lost")]
    assert await audit(core) == [("whatsapp", "ID.bsuid-7", "session.choose", 2)]
    assert (await seats.give_seat(core, WEB, START, s.id, ids["D"], ids["B"])).outcome \
        == "closed"  # the session has begun


async def test_seats_to_the_most_ready_are_given_only_as_previewed(core, clock):
    s, ids = await full(core, clock)
    now = clock()
    preview = await seats.preview_best(core, now, s.id)
    assert (preview.seat, preview.unseat) == ((ids["C"],), (ids["A"],))
    # Someone else gets in line with the same numbers of changes: a different preview.
    await core.db.registrations.withdraw(s.id, ids["C"], now)  # Citra gives up; Ani stays
    eko = await eligible(core.db, 1005, now, name="Eko Prasetyo", readiness=98)
    await core.db.registrations.register(s.id, eko, now)
    changed = await seats.give_best(core, WEB, now, s.id, preview.fingerprint)
    assert changed.outcome == "changed"
    assert (changed.seats.seat, changed.seats.unseat) == ((eko,), (ids["A"],))
    assert (await core.db.registrations.get(s.id, ids["A"])).status == "registered"
    assert await audit(core) == []
    done = await seats.give_best(core, WEB, now, s.id, changed.seats.fingerprint)
    assert done.outcome == "done"
    assert (await core.db.registrations.get(s.id, eko)).status == "registered"
    assert (await core.db.registrations.get(s.id, ids["A"])).position == 1
    assert sorted(k for _o, k, _r, _s in await outbox(core.db)) == ["seat", "seat_lost"]
    assert await audit(core) == [("whatsapp", "ID.bsuid-7", "session.choose_best", 2)]
    again = await seats.give_best(core, WEB, now, s.id, done.seats.fingerprint)
    assert again.outcome == "changed" and again.seats.nothing
    assert (await seats.give_best(core, WEB, START, s.id, "1")).outcome == "closed"
    assert await seats.preview_best(core, START, s.id) is None


async def test_attendance_is_marked_from_the_day_before(core, clock):
    s, ids = await full(core, clock)
    assert (await attendance.mark(core, WEB, clock(), s.id, ids["A"], True)).outcome \
        == "not_yet"
    day = START - timedelta(hours=3)
    assert (await attendance.mark(core, WEB, day, s.id, ids["C"], True)).outcome \
        == "not_registered"  # waiting, not seated
    assert (await attendance.mark(core, WEB, day, s.id, ids["A"], True)) \
        == attendance.Marked("marked", 1)
    assert [p.name for p in await attendance.seated(core, s.id)] == ["Ani Lestari",
                                                                    "Budi Santoso"]
    assert (await attendance.mark_rest(core, WEB, day, s.id)).count == 1
    assert (await core.db.registrations.get(s.id, ids["B"])).present is False
    assert (await attendance.mark_rest(core, WEB, day, s.id)).count == 0
    assert await audit(core) == [("whatsapp", "ID.bsuid-7", "session.present", 1),
                                 ("whatsapp", "ID.bsuid-7", "session.attendance", 1),
                                 ("whatsapp", "ID.bsuid-7", "session.attendance", None)]
    await core.db.sessions.cancel(s.id, day)
    assert (await attendance.mark(core, WEB, day, s.id, ids["A"], False)).outcome == "not_yet"


class Transport:
    """Stands in for a running channel; records nothing, delivers everything."""

    def __init__(self, name: str) -> None:
        self.name = name

    async def deliver(self, chat_id, reply):
        return "1"

    async def edit(self, chat_id, message_id, text, buttons=()):
        return None

    def start_link(self, payload):
        return None


@pytest.fixture
async def running(core):
    await core.start([Transport("telegram"), Transport("whatsapp")])
    await core.sender.stop()  # nothing is sent: the tests look at the outbox
    yield core
    await core.stop()


async def test_an_audience_is_counted_per_channel_and_checked(running):
    core = running
    await add_owners(core.db, 3, first_id=100, eligible=True, answers={"product_type": "batik"})
    await add_owners(core.db, 2, first_id=200, channel="whatsapp", eligible=True)
    await add_owners(core.db, 4, first_id=300, channel="terminal", eligible=True)  # not running
    assert await announcements.counts(core, Audience("eligible")) == {"telegram": 3,
                                                                      "whatsapp": 2}
    assert await announcements.counts(core, Audience("product", "batik")) == {"telegram": 3,
                                                                             "whatsapp": 0}
    october = await add_session(core.db, "Oktober", START)
    assert await announcements.valid_audience(core, Audience("registered", str(october)))
    for wrong in (Audience("registered", "999"), Audience("product", "gold"),
                  Audience("registered"), Audience("everyone")):
        assert not await announcements.valid_audience(core, wrong), wrong


async def test_an_announcement_is_sent_once_per_form_and_scheduled_cancelled_stopped(running):
    core = running
    now = core.clock()
    await add_owners(core.db, 3, eligible=True)
    draft = Draft("<b>Dibuka</b>", Audience("all"))
    sent = await announcements.send_now(core, WEB, now, draft, language="id", form_key="k1")
    assert (sent.outcome, sent.count, sent.broadcast.status, sent.broadcast.chat_id) == (
        "started", 3, "sending", "")
    again = await announcements.send_now(core, WEB, now, draft, language="id", form_key="k1")
    assert (again.outcome, again.broadcast.id) == ("again", sent.broadcast.id)
    assert len(await outbox(core.db, "broadcast")) == 3
    when = now + timedelta(days=1)
    with pytest.raises(ValueError):
        await announcements.schedule(core, WEB, now, draft, now, language="id")
    later = await announcements.schedule(core, WEB, now, draft, when, language="en")
    assert (later.outcome, later.count, later.broadcast.scheduled_for) == ("scheduled", 3, when)
    assert core.scheduler.get_job(f"broadcast:{later.broadcast.id}") is not None
    assert (await announcements.cancel(core, WEB, now, later.broadcast.id)).outcome \
        == "cancelled"
    assert core.scheduler.get_job(f"broadcast:{later.broadcast.id}") is None
    assert await announcements.cancel(core, WEB, now, sent.broadcast.id) \
        == announcements.Ended("too_late", "sending")
    assert (await announcements.cancel(core, WEB, now, 999)).outcome == "missing"
    stopped = await announcements.stop(core, WEB, now, sent.broadcast.id)
    assert (stopped.outcome, stopped.withdrawn) == ("stopped", 3)
    assert (await announcements.stop(core, WEB, now, sent.broadcast.id)).outcome == "too_late"
    gone = await announcements.send_now(core, WEB, now, Draft("x", Audience("waiting", "9")),
                                        language="id")
    assert (gone.outcome, gone.broadcast) == ("no_audience", None)
    with pytest.raises(ValueError):
        await announcements.send_now(core, WEB, now, Draft("x" * 4000, Audience("all"),
                                                           media_id=1), language="id")
    assert await audit(core) == [
        ("whatsapp", "ID.bsuid-7", "broadcast.send", 3),
        ("whatsapp", "ID.bsuid-7", "broadcast.schedule", 3),
        ("whatsapp", "ID.bsuid-7", "broadcast.cancel", None),
        ("whatsapp", "ID.bsuid-7", "broadcast.stop", 3)]


async def test_looking_at_failures_is_audited_only_when_there_are_some(running):
    core = running
    now = core.clock()
    await add_owners(core.db, 2, eligible=True)
    sent = await announcements.send_now(core, WEB, now, Draft("Halo", Audience("all")),
                                        language="id")
    assert await announcements.failures(core, WEB, now, sent.broadcast.id) == []
    items = await core.db.outbox.claim(["telegram"], now, 10)
    await core.db.outbox.finish([SendResult(items[0].id, "failed", 1, error="Bad Request"),
                                 SendResult(items[1].id, "sent", 1)], now)
    assert await announcements.failures(core, WEB, now, sent.broadcast.id) == [
        (items[0].owner_id, "Bad Request")]
    assert [a for _c, _u, a, _n in await audit(core)] == ["broadcast.send",
                                                          "broadcast.failures"]


async def test_interest_lists_open_close_invite_and_report_how_it_went(core, clock):
    now = clock()
    last_year = await add_owners(core.db, 2, first_id=100, eligible=True)
    await add_owners(core.db, 1, first_id=200, eligible=False)
    await add_interest(core.db, 2027, last_year)
    assert (await interest.invite(core, WEB, now, 2028)).outcome == "not_open"
    assert await interest.open_list(core, WEB, now, 2028)
    assert not await interest.open_list(core, WEB, now, 2028)
    assert await interest.invitable(core, 2028) == 3
    invited = await interest.invite(core, WEB, now, 2028)
    assert invited == interest.Invited("queued", 3)
    assert (await interest.invite(core, WEB, now, 2028)).count == 0  # nobody twice
    items = await core.db.outbox.claim(["telegram"], now, 10)
    await core.db.outbox.finish([SendResult(items[0].id, "sent", 1),
                                 SendResult(items[1].id, "blocked", 1)], now)
    assert await interest.invitations(core, 2028) == interest.Invitations(1, 1, 1, 0)
    assert await interest.close_list(core, WEB, now, 2028)
    assert not await interest.close_list(core, WEB, now, 2028)
    assert await audit(core) == [
        ("whatsapp", "ID.bsuid-7", "interest.open", None),
        ("whatsapp", "ID.bsuid-7", "interest.invite", 3),
        ("whatsapp", "ID.bsuid-7", "interest.invite", 0),
        ("whatsapp", "ID.bsuid-7", "interest.close", None)]


async def test_owners_signed_up_by_population_helpers_count_as_members(core, clock):
    october = await add_session(core.db, "Oktober", datetime(2027, 10, 6, 2, tzinfo=UTC))
    owners = await add_owners(core.db, 3, eligible=True)
    await sign_up(core.db, october, owners[:2])
    await sign_up(core.db, october, owners[2:], status="waiting")
    assert await sessions.members(core, october) == 3
