"""Reminder jobs through the core: what a job queues, how a reminder reads, when it is skipped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot import reminder_jobs as reminders
from bot.channel import plain_text
from bot.storage import to_db
from tests.support.owner import Owner
from tests.support.sessionkit import START, deliver, eligible, outbox, session

DAY, WEEK, TWO_HOURS = 86400, 7 * 86400, 7200


async def test_a_reminder_reads_in_the_owners_language_with_the_babel_date(core, clock):
    s = await session(core.db, clock())
    owner = await eligible(core.db, 2001, clock(), language="id")
    await Owner(core, "2001", "id").press(f"signup:join:{s.id}")
    clock.now = START - timedelta(days=7)
    assert await reminders.send_reminder(core, s.id, WEEK, to_db(START)) == 1
    assert await reminders.send_reminder(core, s.id, WEEK, to_db(START)) == 0  # a double run
    ((owner_id, reply),) = await deliver(core)
    text = plain_text(reply.text)
    assert owner_id == owner
    assert "Pengingat: pelatihan ekspor Anda dimulai 7 hari lagi." in text
    assert "Rabu, 6 Oktober 2027 pukul 09.00 WIB" in text and "Aula Dindagkop-UKM" in text
    assert [[b.label for b in row] for row in reply.buttons] == [
        ["✅ Ya, saya datang"], ["❌ Tidak bisa datang"]]


async def test_a_job_that_runs_too_late_or_for_an_old_time_queues_nothing(core, clock):
    s = await session(core.db, clock())
    await eligible(core.db, 1001, clock())
    await Owner(core, "1001", "en").press(f"signup:join:{s.id}")
    clock.now = START - timedelta(hours=2)  # the 1-day job runs when the 2-hour one is due
    assert await reminders.send_reminder(core, s.id, DAY, to_db(START)) == 0
    assert await reminders.send_reminder(core, s.id, TWO_HOURS, to_db(START)) == 1
    assert await reminders.send_reminder(core, s.id, TWO_HOURS,
                                         to_db(START - timedelta(days=1))) == 0  # moved since
    clock.now = START
    assert await reminders.send_reminder(core, s.id, TWO_HOURS, to_db(START)) == 0
    assert await reminders.send_reminder(core, 999, TWO_HOURS, to_db(START)) == 0


async def test_a_queued_reminder_is_skipped_when_the_seat_or_session_changed(core, clock):
    s = await session(core.db, clock())
    keeps, leaves = (await eligible(core.db, 1001, clock()),
                     await eligible(core.db, 1002, clock()))
    for user in ("1001", "1002"):
        await Owner(core, user, "en").press(f"signup:join:{s.id}")
    clock.now = START - timedelta(days=1)
    assert await reminders.send_reminder(core, s.id, DAY, to_db(START)) == 2
    await core.db.registrations.withdraw(s.id, leaves, clock())  # before the sender got to it
    rendered = dict(await deliver(core))
    assert rendered[leaves] is None and "starts in 1 day" in plain_text(rendered[keeps].text)
    clock.now = START - timedelta(hours=2)
    await reminders.send_reminder(core, s.id, TWO_HOURS, to_db(START))
    await core.db.sessions.move(s.id, START + timedelta(days=1), 2027, clock())
    assert await deliver(core) == [(keeps, None)]  # moved meanwhile: the old time is not sent


async def test_rebuild_schedules_jobs_on_real_time_and_keeps_them_in_step(core, clock):
    s = await session(core.db, clock())
    core.scheduler.start()
    try:
        assert await reminders.rebuild(core) == 3
        jobs = {job.id: job for job in core.scheduler.get_jobs()}
        assert set(jobs) == {f"reminder:{s.id}:{WEEK}", f"reminder:{s.id}:{DAY}",
                             f"reminder:{s.id}:{TWO_HOURS}", f"session-start:{s.id}"}
        for job in jobs.values():
            assert job.misfire_grace_time is None
        ahead = jobs[f"reminder:{s.id}:{DAY}"].next_run_time - datetime.now(UTC)
        assert abs(ahead - (START - timedelta(days=1) - clock())) < timedelta(seconds=5)
        clock.now = START - timedelta(hours=5)  # the clock moves: the jobs follow
        assert await reminders.rebuild(core) == 1
        assert {job.id for job in core.scheduler.get_jobs()} == {
            f"reminder:{s.id}:{TWO_HOURS}", f"session-start:{s.id}"}
        assert [row[2] for row in await outbox(core.db)] == []  # nobody registered
        clock.now = START
        assert await reminders.rebuild(core) == 0
        assert core.scheduler.get_jobs() == []
        assert (await core.db.sessions.get(s.id)).status == "done"
    finally:
        core.scheduler.shutdown(wait=False)
