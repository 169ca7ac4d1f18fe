"""The sender must not sleep through a wake-up that arrives while it looks at the outbox."""

from __future__ import annotations

import asyncio
import time

from bot.config import BroadcastConfig
from bot.sender import Sender
from bot.storage import Database
from tests.core.test_sender import NOW, Transport, render


async def test_a_wake_while_the_sender_looks_at_the_outbox_is_not_lost(tmp_path):
    db = await Database.open(tmp_path / "w.sqlite3")
    try:
        owner = await db.owners.create("telegram", "1", "1", "id", None, NOW)
        transport = Transport()
        sender = Sender(db, {"telegram": transport}, render, BroadcastConfig(rate=100),
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
            began = time.monotonic()
            while not transport.sent and time.monotonic() - began < 2:
                await asyncio.sleep(0.01)
            assert transport.sent, "the wake-up was lost: the sender slept its 5 s"
        finally:
            await sender.stop()
    finally:
        await db.close()


async def test_stopping_waits_for_a_running_scheduled_job_instead_of_cancelling_it(core, caplog):
    import asyncio

    finished = []

    async def slow_job() -> None:
        await asyncio.sleep(0.2)
        finished.append(True)

    await core.start([])
    core.scheduler.add_job(slow_job)
    for _ in range(100):  # until the job is running
        if core._running_jobs:
            break
        await asyncio.sleep(0.01)
    await core.stop()
    assert finished == [True]
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
