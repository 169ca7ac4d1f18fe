"""Reminder jobs before each session, on the one APScheduler scheduler, fed from the database.

The database is the source of truth: a reminder exists as an outbox row (unique per kind, ref and
chat, the ref naming the session, the offset and the start time), so it goes to each registrant
at most once per offset, across restarts and double runs. The scheduler only says *when* to look:
one job per (session, offset) — not per registration — whose run queues that offset's reminder
for every owner who held a seat at its due time. Jobs are rebuilt from the sessions table at
start-up and whenever a session changes; a registration needs no job of its own.

Policy (see `bot/reminder_policy.py`): at start-up, for each session not started yet, only the
latest offset already due is sent; late registrants get only the reminders still ahead; jobs are
added with `misfire_grace_time=None` so APScheduler never silently drops one, and each run
applies the same policy itself, so a job that runs very late sends nothing a later offset replaces.

Time: the core reads time through `core.clock`; APScheduler runs on real time. A job's run date is
real now + (due - core clock), so tests that move the core's clock call `rebuild` and the jobs
follow it.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.reminder_policy import plan, reminder_ref, worth_sending
from bot.session_rules import ACTIVE, session_year
from bot.storage import to_db
from bot.storage.outbox import PRIORITY_REMINDER
from bot.storage.sessions import Session

if TYPE_CHECKING:
    from bot.core import Core

log = logging.getLogger(__name__)
JOB_PREFIX = "reminder:"
START_PREFIX = "session-start:"


async def seed(core: Core) -> int:
    """Create the `[[sessions]]` of config.toml that do not exist yet (by key)."""
    tz = core.config.time_zone
    seeds = []
    for item in core.config.sessions:
        starts_at = datetime.fromisoformat(item.starts_at.replace(" ", "T")).replace(tzinfo=tz)
        seeds.append((item.key, item.title, starts_at, item.place, item.capacity,
                      session_year(starts_at, tz)))
    added = await core.db.sessions.seed(seeds, core.clock())
    if added:
        log.info("%d session(s) created from config.toml", added)
    return added


def _run_date(core: Core, due: datetime) -> datetime:
    """When, in real time, the scheduler should run a job due at `due` on the core's clock."""
    return datetime.now(UTC) + (due - core.clock())


async def rebuild(core: Core) -> int:
    """Mark started sessions done and schedule every active session's reminders again.

    Returns how many reminder jobs are scheduled.
    """
    now = core.clock()
    await core.db.sessions.finish_started(now)
    jobs: set[str] = set()
    for session in await core.db.sessions.active():
        jobs |= await schedule(core, session, now)
    for job in core.scheduler.get_jobs():
        if job.id.startswith((JOB_PREFIX, START_PREFIX)) and job.id not in jobs:
            job.remove()
    return sum(1 for job in jobs if job.startswith(JOB_PREFIX))


def unschedule(core: Core, session_id: int) -> None:
    """Remove a session's jobs (it was cancelled, or is about to be scheduled again)."""
    ids = [f"{JOB_PREFIX}{session_id}:{offset}" for offset in core.config.reminders.offsets]
    for job_id in (*ids, f"{START_PREFIX}{session_id}"):
        if core.scheduler.get_job(job_id) is not None:
            core.scheduler.remove_job(job_id)


async def schedule(core: Core, session: Session, now: datetime | None = None) -> set[str]:
    """(Re)schedule one session's jobs; queue at once the reminder missed while down.

    Returns the ids of its jobs. Nothing is scheduled before the scheduler runs: start-up
    rebuilds everything anyway.
    """
    if not core.scheduler.running:
        return set()
    now = now or core.clock()
    unschedule(core, session.id)
    if session.status not in ACTIVE:
        return set()
    current = plan(session.starts_at, core.config.reminders.offsets, session.start_set_at, now)
    starts = to_db(session.starts_at)
    if current.send_now is not None:
        await send_reminder(core, session.id, current.send_now.offset, starts)
    jobs = set()
    for due in current.later:
        job_id = f"{JOB_PREFIX}{session.id}:{due.offset}"
        core.scheduler.add_job(send_reminder, "date", run_date=_run_date(core, due.at),
                               args=(core, session.id, due.offset, starts), id=job_id,
                               replace_existing=True, misfire_grace_time=None)
        jobs.add(job_id)
    if session.starts_at > now:
        job_id = f"{START_PREFIX}{session.id}"
        core.scheduler.add_job(finish_started, "date",
                               run_date=_run_date(core, session.starts_at), args=(core,),
                               id=job_id, replace_existing=True, misfire_grace_time=None)
        jobs.add(job_id)
    return jobs


async def finish_started(core: Core) -> None:
    """A session starts: it is done (no more sign-ups, reminders or seat changes)."""
    await core.db.sessions.finish_started(core.clock())


async def send_reminder(core: Core, session_id: int, offset: int, starts_at: str) -> int:
    """Queue one offset's reminder for everyone seated at its due time; return how many."""
    session = await core.db.sessions.get(session_id)
    if session is None or session.status not in ACTIVE or to_db(session.starts_at) != starts_at:
        return 0  # cancelled, done or moved since the job was scheduled
    now = core.clock()
    offsets = core.config.reminders.offsets
    if not worth_sending(session.starts_at, offsets, offset, session.start_set_at, now):
        log.info("reminder %d s before session %d skipped: too late", offset, session_id)
        return 0
    due = session.starts_at - timedelta(seconds=offset)
    sql, params = core.db.registrations.reminder_sql(session_id, due)
    queued = await core.db.outbox.enqueue_owners(
        "reminder", reminder_ref(session_id, offset, session.starts_at),
        {"session_id": session_id, "offset": offset, "starts_at": starts_at},
        sql, params, now, priority=PRIORITY_REMINDER)
    log.info("reminder %d s before session %d: %d queued", offset, session_id, queued)
    core.wake_sender()
    return queued
