"""The sender must not sleep through a wake-up that arrives while it looks at the outbox."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.config import BroadcastConfig
from bot.sender import Sender
from bot.storage import Database
from tests.support.sending import eventually
from tests.support.transport import Recorder, hello

NOW = datetime(2026, 1, 1, 2, 0, tzinfo=UTC)  # in the past: rows are due at once


async def test_a_wake_while_the_sender_looks_at_the_outbox_is_not_lost(tmp_path):
    db = await Database.open(tmp_path / "w.sqlite3")
    try:
        owner = await db.owners.create("telegram", "1", "1", "id", None, NOW)
        transport = Recorder()
        sender = Sender(db, {"telegram": transport}, hello, BroadcastConfig(rate=100),
                        lambda: NOW)
        look = db.outbox.next_due
        queued = asyncio.Event()

        async def look_then_queue(channels):
            due = await look(channels)  # the outbox is empty when the sender looks…
            if not queued.is_set():  # …and a notice is queued right then, with a wake-up
                queued.set()
                await db.outbox.enqueue(owner.id, "notice", "n", {}, NOW)
                sender.wake()
            return due

        db.outbox.next_due = look_then_queue
        await sender.start()
        try:
            async def delivered() -> bool:
                return bool(transport.sent)
            # Well under the 5 s the sender would sleep had it missed the wake-up.
            await eventually(delivered, 2, "the wake-up was heard (not slept through)")
        finally:
            await sender.stop()
    finally:
        await db.close()


async def test_stopping_waits_for_a_running_scheduled_job_instead_of_cancelling_it(core, caplog):
    finished = []

    async def slow_job() -> None:
        await asyncio.sleep(0.2)
        finished.append(True)

    await core.start([])
    core.scheduler.add_job(slow_job)
    async def running() -> bool:
        return bool(core._running_jobs)
    await eventually(running, 1, "the job running")
    await core.stop()
    assert finished == [True]
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
