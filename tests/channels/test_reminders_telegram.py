"""Reminders and sign-ups end to end: the real Application and the real APScheduler against the
fake Bot API, on a core clock the test moves (jobs run at real now + (due - core clock), so no
test waits more than a fraction of a second for a reminder that is days away)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot import reminder_jobs as reminders
from bot.storage import to_db
from tests.support.clock import RunningClock
from tests.support.config import STAFF_ID
from tests.support.fakebotapi import FakeBotAPI
from tests.support.harness import Chat, running_bot, sent, telegram_config
from tests.support.sending import settled
from tests.support.sessionkit import START, eligible, outbox

pytestmark = pytest.mark.filterwarnings(
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"
)

SEEDED = """
[broadcast]
per_chat_interval = 0.1
[[sessions]]
key = "2027-10"
title = "Pelatihan Ekspor Oktober 2027"
starts_at = "2027-10-06 09:00"
place = "Aula Dindagkop-UKM"
capacity = 30
"""
DAY, WEEK, TWO_HOURS = 86400, 7 * 86400, 7200


def reminders_to(fake: FakeBotAPI, chat_id: int) -> list[str]:
    """Texts of the reminders the bot sent to one chat."""
    return [r.text for r in fake.calls("sendMessage", chat_id) if "Reminder" in (r.text or "")]


async def reminder(fake: FakeBotAPI, chat_id: int, number: int = 1):
    """Wait (at most 3 s) until the `number`-th reminder to `chat_id` went out."""
    return await fake.wait_for(lambda r: r.method == "sendMessage" and r.chat_id == chat_id
                               and "Reminder" in (r.text or "")
                               and len(reminders_to(fake, chat_id)) >= number, timeout=3)


async def sign_up(fake: FakeBotAPI, core, user_id: int, clock: RunningClock) -> Chat:
    """An eligible owner signs up for the first session shown, through Telegram."""
    await eligible(core.db, user_id, clock())
    chat = Chat(fake, user_id, "en")
    await chat.do("cmd", "/jadwal")
    await chat.do("tap", "✍️")
    assert "You are registered!" in chat.text()
    return chat


async def test_a_reminder_due_while_the_bot_was_down_arrives_exactly_once(fake, tmp_path):
    clock = RunningClock()  # 1 September 2027, 09.00 WIB
    config = telegram_config(tmp_path, fake, SEEDED)
    async with running_bot(fake, config, clock) as channel:
        core = channel.core
        chat = await sign_up(fake, core, 1001, clock)
        jobs = {job.id for job in core.scheduler.get_jobs()}
        assert {f"reminder:1:{WEEK}", f"reminder:1:{DAY}", f"reminder:1:{TWO_HOURS}"} <= jobs
    # Down from before the 7-day reminder until after the 1-day one (5 October, 10.00 WIB).
    clock.set(START - timedelta(hours=23))
    async with running_bot(fake, config, clock) as channel:
        request = await reminder(fake, 1001)
        assert "Reminder: your export training starts in 1 day." in request.text
        assert "Wednesday, 6 October 2027 at 9:00\u202fAM WIB" in request.text
        assert "Aula Dindagkop-UKM" in request.text
        assert [label for row in request.buttons for label, _ in row] == [
            "✅ Yes, I will come", "❌ I cannot come"]
        assert {job.id for job in channel.core.scheduler.get_jobs()} == {
            f"reminder:1:{TWO_HOURS}", "session-start:1"}
        # Confirm from the reminder.
        yes = next(data for row in request.buttons for label, data in row if "Yes" in label)
        answered = await fake.process(chat.user.press(yes, request.result["message_id"]))
        assert "attendance is confirmed" in " ".join(
            r.params.get("text", "") for r in answered if r.method == "answerCallbackQuery")
        owner = await channel.core.db.owners.find("telegram", "1001")
        assert (await channel.core.db.registrations.get(1, owner.id)).attendance == \
            "confirmed"
    async with running_bot(fake, config, clock) as channel:  # and once more: nothing new
        rows = await outbox(channel.core.db, "reminder")
        assert rows == [(owner.id, "reminder", f"reminder:1:{DAY}:"
                         f"{int(START.timestamp())}", "sent")]
    assert len(reminders_to(fake, 1001)) == 1


async def test_reminders_fire_from_their_jobs_and_late_registrants_get_only_those_ahead(
        fake, tmp_path):
    clock = RunningClock()
    config = telegram_config(tmp_path, fake, SEEDED)
    async with running_bot(fake, config, clock) as channel:
        core = channel.core
        await sign_up(fake, core, 1001, clock)
        # Just before the 7-day reminder is due: its job runs a fraction of a second later.
        clock.set(START - timedelta(days=7, seconds=0.3))
        await reminders.rebuild(core)
        first = await reminder(fake, 1001)
        assert "starts in 7 days" in first.text
        # A day later a second owner signs up: the 7-day reminder is behind them.
        clock.advance(days=1)
        await sign_up(fake, core, 1002, clock)
        clock.set(START - timedelta(days=1, seconds=0.3))
        await reminders.rebuild(core)
        await reminder(fake, 1001, 2)
        second = await reminder(fake, 1002)
        assert "starts in 1 day" in second.text
        # Both were queued for the 1-day reminder; only 1001 for the 7-day one.
        rows = await outbox(core.db, "reminder")
        assert sorted((owner, ref.split(":")[2]) for owner, _k, ref, _s in rows) == sorted([
            (1, str(WEEK)), (1, str(DAY)), (2, str(DAY))])
    assert len(reminders_to(fake, 1001)) == 2 and len(reminders_to(fake, 1002)) == 1


async def test_a_moved_session_tells_its_registrants_and_reminds_for_the_new_time(fake,
                                                                                 tmp_path):
    clock = RunningClock()
    config = telegram_config(tmp_path, fake, SEEDED)
    async with running_bot(fake, config, clock) as channel:
        core = channel.core
        await sign_up(fake, core, 1001, clock)
        staff = Chat(fake, STAFF_ID, "en")
        await staff.do("cmd", "/sesi")
        await staff.do("tap", "📅 ")  # the session, by its date
        await staff.do("tap", "Move")
        await staff.do("say", "13/10/2027 09.00")
        assert "1 owner (registered or waiting) will be told" in staff.text()
        await staff.do("tap", "✅ Move")
        assert "Moved. 1 owner will be told." in staff.text()
        notice = await fake.wait_for(lambda r: r.method == "sendMessage" and r.chat_id == 1001
                                     and "New date" in (r.text or ""), timeout=3)
        assert "Wednesday, 13 October 2027 at 9:00\u202fAM WIB" in notice.text
        assert "(It was Wednesday, 6 October 2027 at 9:00\u202fAM WIB.)" in notice.text
        new_start = START + timedelta(days=7)
        jobs = {job.id: job for job in core.scheduler.get_jobs()}
        assert jobs[f"reminder:1:{DAY}"].args[1:] == (1, DAY, to_db(new_start))
        due_in = jobs[f"reminder:1:{DAY}"].next_run_time - datetime.now(UTC)
        expected = new_start - timedelta(days=1) - clock()
        assert abs((due_in - expected).total_seconds()) < 5
        # The old date's reminders are gone: at the old 1-day time nothing is sent; the new
        # 7-day reminder (due at the old start) fires for the new date.
        clock.set(START - timedelta(seconds=0.3))
        await reminders.rebuild(core)
        request = await reminder(fake, 1001)
        assert "starts in 7 days" in request.text
        assert "Wednesday, 13 October 2027" in request.text
        assert all("6 October" not in text for text in reminders_to(fake, 1001))
        actions = [e.action for e in await core.db.staff.audit_entries()]
        assert actions == ["session.move"]


async def test_a_cancelled_session_tells_its_registrants_and_sends_no_reminder(fake, tmp_path):
    clock = RunningClock()
    config = telegram_config(tmp_path, fake, SEEDED)
    async with running_bot(fake, config, clock) as channel:
        core = channel.core
        await sign_up(fake, core, 1001, clock)
        staff = Chat(fake, STAFF_ID, "id")
        await staff.do("cmd", "/sesi")
        await staff.do("tap", "📅 ")  # the session, by its date
        await staff.do("tap", "Batalkan sesi")
        assert "Ini tidak bisa dibatalkan" in staff.text()
        await staff.do("tap", "Batalkan sesi")
        assert "Sesi dibatalkan. 1 pelaku usaha akan diberi tahu." in staff.text()
        notice = await fake.wait_for(lambda r: r.method == "sendMessage" and r.chat_id == 1001
                                     and "cancelled" in (r.text or ""), timeout=3)
        assert "We are sorry: this training session is cancelled." in notice.text
        assert not [j for j in core.scheduler.get_jobs() if j.id.endswith(":1") or
                    j.id.startswith("reminder:1:")]
        clock.set(START - timedelta(hours=1))
        await reminders.rebuild(core)
        assert await outbox(core.db, "reminder") == []
    assert reminders_to(fake, 1001) == []


async def test_two_owners_racing_for_the_last_seat_get_one_seat(fake, tmp_path):
    clock = RunningClock()
    config = telegram_config(tmp_path, fake, SEEDED.replace("capacity = 30", "capacity = 2"))
    async with running_bot(fake, config, clock) as channel:
        core = channel.core
        await sign_up(fake, core, 1000, clock)  # one seat left
        chats = []
        for user_id in (1001, 1002):
            await eligible(core.db, user_id, clock())
            chat = Chat(fake, user_id, "en")
            await chat.do("cmd", "/jadwal")
            chats.append(chat)
        presses = [chat.user.press("signup:join:1") for chat in chats]  # both at once
        answers = await asyncio.gather(*(fake.process(update) for update in presses))
        texts = [" ".join(r.text or "" for r in sent(batch) if r.chat_id == chat.user.id)
                 for batch, chat in zip(answers, chats, strict=True)]
        assert sorted("You are registered!" in t for t in texts) == [False, True]
        assert sum("you are on the waiting list: number 1" in t for t in texts) == 1
        seats = (await core.db.registrations.seats([1]))[1]
        assert (seats.registered, seats.waiting) == (2, 1)
        assert (await core.db.sessions.get(1)).status == "full"


async def test_an_owner_who_blocked_the_bot_is_marked_and_not_reminded_again(fake, tmp_path):
    clock = RunningClock()
    config = telegram_config(tmp_path, fake, SEEDED)
    async with running_bot(fake, config, clock) as channel:
        core = channel.core
        await sign_up(fake, core, 1001, clock)
        await sign_up(fake, core, 1002, clock)
        fake.blocked.add(1002)
        clock.set(START - timedelta(days=7, seconds=0.3))
        await reminders.rebuild(core)
        await reminder(fake, 1001)
        await fake.wait_for(lambda r: r.status == 403 and r.chat_id == 1002, timeout=3)
        await settled(core.db, "reminder")
        assert (await core.db.owners.find("telegram", "1002")).blocked_at is not None
        clock.set(START - timedelta(days=1, seconds=0.3))
        await reminders.rebuild(core)
        await reminder(fake, 1001, 2)
        rows = [(o, ref.split(":")[2], status)
                for o, _k, ref, status in await settled(core.db, "reminder")]
        assert sorted(rows) == sorted([(1, str(DAY), "sent"), (1, str(WEEK), "sent"),
                                       (2, str(WEEK), "blocked")])
    assert len([r for r in fake.requests if r.chat_id == 1002 and r.status == 403]) == 1
