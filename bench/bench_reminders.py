"""Reminders at scale: 100,000 owners registered across 10 sessions of 10,000 seats.

Figures (medians of several runs, measured side by side in one process):

- `reminders_rebuild_s`: start-up (sender, scheduler, seeding, `rebuild`) until every reminder
  job is scheduled. The design schedules one job per (session, offset), so this reads the 10
  session rows, not the 100,000 registrations.
- `reminders_read_s`: reading the rows reminders are made of — every registration of every
  active session with its session's start — from SQLite, without the scheduler.
- `reminders_rebuild_read_ratio`: the two above; the issue asks for under 2.
- `reminders_jobs`: how many jobs the rebuild scheduled.
- `reminders_fanout_10k_s`: one job's run: queueing one offset's reminder for a session's 10,000
  registrants into the outbox (one INSERT … SELECT).
- `reminders_catchup_startup_s`: the worst start-up: the bot was down across an offset of all 10
  sessions, so start-up queues 100,000 reminders; `reminders_catchup_again_s` is the next
  start-up, where the outbox's uniqueness turns all of them into no-ops.
- `reminders_per_registration_jobs_10k_s`: for comparison, what the other design (one scheduler
  job per registration) pays just to add 10,000 jobs to APScheduler.
- `reminders_peak_mb` / `reminders_fanout_peak_mb`: peak Python heap (tracemalloc) of a start-up
  rebuild and of one fan-out, measured in separate runs so tracing does not slow the timings.
"""

from __future__ import annotations

import statistics
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot import reminder_jobs as reminders
from bot.cli import FEATURES
from bot.config import Config
from bot.core import Core
from bot.i18n import Catalogs
from bot.storage import Database, to_db

OWNERS = 100_000
SESSIONS = 10
RUNS = 5
NOW = datetime(2027, 9, 1, 2, 0, tzinfo=UTC)


class Clock:
    """A clock the benchmark sets."""

    def __init__(self, moment: datetime) -> None:
        self.now = moment

    def __call__(self) -> datetime:
        return self.now


async def populate(db: Database) -> list[datetime]:
    """100,000 consenting eligible owners, 10 sessions, every owner registered for one."""
    stamp = to_db(NOW)
    starts = [NOW + timedelta(days=30 + n) for n in range(SESSIONS)]
    per_session = OWNERS // SESSIONS
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO owners (id, channel, external_id, chat_id, language, started_at,"
            " last_seen_at, consent_at, consent_version, finished_at, eligible, readiness)"
            " VALUES (?, 'telegram', ?, ?, 'id', ?, ?, ?, 'v1', ?, 1, 80)",
            ((n, str(n), str(n), stamp, stamp, stamp, stamp) for n in range(1, OWNERS + 1)))
        await conn.executemany(
            "INSERT INTO sessions (id, title, starts_at, place, capacity, year, status,"
            " start_set_at, created_at, updated_at) VALUES (?, ?, ?, 'Aula', ?, 2027, 'full',"
            " ?, ?, ?)",
            ((n + 1, f"Sesi {n + 1}", to_db(start), per_session, stamp, stamp, stamp)
             for n, start in enumerate(starts)))
        await conn.executemany(
            "INSERT INTO registrations (session_id, owner_id, status, registered_at,"
            " updated_at, seated_at) VALUES (?, ?, 'registered', ?, ?, ?)",
            (((n - 1) // per_session + 1, n, stamp, stamp, stamp)
             for n in range(1, OWNERS + 1)))
    return starts


async def start_up(config: Config, db: Database, catalogs: Catalogs,
                   clock: Clock) -> tuple[float, int, Core]:
    """Start a fresh core (as the bot does) and time it until the reminder jobs exist."""
    core = Core(config, db, catalogs, FEATURES, clock=clock)
    began = time.perf_counter()
    await core.start([])
    elapsed = time.perf_counter() - began
    jobs = sum(1 for job in core.scheduler.get_jobs() if job.id.startswith("reminder:"))
    return elapsed, jobs, core


async def read_rows(db: Database) -> float:
    """Read every registration reminders concern, with its session's start."""
    began = time.perf_counter()
    rows = await db.all(
        "SELECT r.owner_id, r.session_id, r.seated_at, s.starts_at FROM registrations r"
        " JOIN sessions s ON s.id = r.session_id WHERE s.status IN ('open', 'full', 'closed')"
        " AND r.status = 'registered'")
    elapsed = time.perf_counter() - began
    assert len(rows) == OWNERS, len(rows)
    return elapsed


async def per_registration_jobs(core: Core, count: int) -> float:
    """Add `count` date jobs to the running scheduler, as a job-per-registration design would."""
    async def nothing() -> None:
        return None

    run_at = datetime.now(UTC) + timedelta(days=30)
    began = time.perf_counter()
    for n in range(count):
        core.scheduler.add_job(nothing, "date", run_date=run_at + timedelta(seconds=n),
                               id=f"bench:{n}", misfire_grace_time=None)
    elapsed = time.perf_counter() - began
    for n in range(count):
        core.scheduler.remove_job(f"bench:{n}")
    return elapsed


async def run() -> list[tuple[str, float | int]]:
    """Measure rebuild against reading, fan-out, catch-up and memory."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp)
        config = Config(path=path / "config.toml", database=path / "bench.sqlite3")
        catalogs = Catalogs(config.time_zone)
        db = await Database.open(config.database)
        try:
            starts = await populate(db)
            clock = Clock(NOW)
            rebuilds, reads, jobs = [], [], 0
            for _ in range(RUNS):
                reads.append(await read_rows(db))
                elapsed, jobs, core = await start_up(config, db, catalogs, clock)
                rebuilds.append(elapsed)
                await core.stop()
            _elapsed, _jobs, core = await start_up(config, db, catalogs, clock)
            per_registration = await per_registration_jobs(core, 10_000)
            fanouts = []
            offset = config.reminders.offsets[0]
            for number, start in enumerate(starts, start=1):
                clock.now = start - timedelta(seconds=offset)
                began = time.perf_counter()
                queued = await reminders.send_reminder(core, number, offset, to_db(start))
                fanouts.append(time.perf_counter() - began)
                assert queued == OWNERS // SESSIONS, queued
            await core.stop()
            # Down across the 1-day reminder of every session: start-up queues them all.
            clock.now = starts[-1]
            for number in range(1, SESSIONS + 1):
                await db.write("UPDATE sessions SET starts_at = ? WHERE id = ?",
                               (to_db(clock.now + timedelta(hours=5, minutes=number)), number))
            catchup, _jobs, core = await start_up(config, db, catalogs, clock)
            await core.stop()
            row = await db.one("SELECT count(*) FROM outbox WHERE ref LIKE 'reminder:%:86400:%'")
            assert row is not None and row[0] == OWNERS, tuple(row or ())
            again, _jobs, core = await start_up(config, db, catalogs, clock)
            await core.stop()
            # Memory, traced in separate runs.
            clock.now = NOW
            tracemalloc.start()
            _elapsed, _jobs, core = await start_up(config, db, catalogs, clock)
            _size, peak = tracemalloc.get_traced_memory()
            tracemalloc.reset_peak()
            await db.write("DELETE FROM outbox WHERE ref LIKE 'reminder:1:%'")
            clock.now = starts[0] - timedelta(seconds=offset)
            await reminders.send_reminder(core, 1, offset, to_db(starts[0]))
            _size, fanout_peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            await core.stop()
        finally:
            await db.close()
    rebuild, read = statistics.median(rebuilds), statistics.median(reads)
    return [
        ("reminders_rebuild_s", rebuild),
        ("reminders_read_s", read),
        ("reminders_rebuild_read_ratio", rebuild / read),
        ("reminders_jobs", jobs),
        ("reminders_fanout_10k_s", statistics.median(fanouts)),
        ("reminders_catchup_startup_s", catchup),
        ("reminders_catchup_again_s", again),
        ("reminders_per_registration_jobs_10k_s", per_registration),
        ("reminders_peak_mb", peak / 1e6),
        ("reminders_fanout_peak_mb", fanout_peak / 1e6),
    ]
