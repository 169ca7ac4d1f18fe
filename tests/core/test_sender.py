"""The shared sender, driven through its real loop: limits, pauses, blocked owners, retries,
crash recovery. Each test starts the sender, lets it work until every outbox row has its final
status (a bounded wait), and stops it."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from itertools import pairwise

import pytest

from bot.config import BroadcastConfig
from bot.delivery import Rejected, RetryLater, Unavailable, UserGone
from bot.sender import Sender
from bot.storage import Database
from tests.support.clock import Ticking
from tests.support.sending import eventually, settled
from tests.support.transport import Recorder, hello

NOW = datetime(2026, 1, 1, 2, 0, tzinfo=UTC)  # in the past: rows are due at once


@pytest.fixture
async def db(tmp_path):
    database = await Database.open(tmp_path / "s.sqlite3")
    yield database
    await database.close()


async def owners(db, count: int) -> list[int]:
    ids = []
    for n in range(count):
        ids.append((await db.owners.create("telegram", str(n + 1), str(n + 1), "id", None,
                                           NOW)).id)
    return ids


def sender(db, transport, **config) -> Sender:
    settings = {"rate": 1000, "per_chat_interval": 1.0, "max_attempts": 3, **config}
    return Sender(db, {"telegram": transport}, hello, BroadcastConfig(**settings), lambda: NOW)


async def run(s: Sender, timeout: float = 10.0) -> None:
    """Start the sender, wake it, and stop it once every outbox row has its final status."""
    await s.start()
    s.wake()
    try:
        await settled(s.db, timeout=timeout)
    finally:
        await s.stop()


async def test_each_owner_gets_exactly_one_message_even_if_queued_twice(db):
    ids = await owners(db, 30)
    marks = ",".join("?" * len(ids))
    assert await db.outbox.enqueue_owners("broadcast", "b1", {}, f"SELECT id FROM owners"
                                          f" WHERE id IN ({marks})", ids, NOW) == 30
    assert await db.outbox.enqueue_owners("broadcast", "b1", {}, "SELECT id FROM owners", (),
                                          NOW) == 0
    transport = Recorder()
    await run(sender(db, transport))
    assert sorted(transport.chats()) == sorted(str(n) for n in range(1, 31))
    assert (await db.outbox.counts("broadcast", "b1"))["sent"] == 30


async def test_the_overall_rate_is_respected(db):
    await owners(db, 130)  # more than the limit allows in one second
    await db.outbox.enqueue_owners("broadcast", "b", {}, "SELECT id FROM owners", (), NOW)
    transport = Recorder()
    start = time.monotonic()
    await run(sender(db, transport, rate=100))
    elapsed = time.monotonic() - start
    assert len(transport.sent) == 130
    times = sorted(transport.times())
    # No one-second window holds more than the limit, though the load would fill it.
    assert all(sum(1 for u in times if t <= u < t + 1) <= 100 for t in times)
    assert elapsed >= 1.2  # 130 messages at ~97/s with a 2-message bucket


async def test_a_blocked_owner_is_marked_and_not_retried(db):
    (owner,) = await owners(db, 1)
    transport = Recorder()
    transport.failures["1"] = [UserGone("blocked")]
    await db.outbox.enqueue(owner, "notice", "n1", {}, NOW)
    await run(sender(db, transport))
    assert (await db.outbox.counts("notice", "n1")).get("blocked") == 1
    assert (await db.owners.get(owner)).blocked_at is not None
    # Nothing new is queued for a blocked owner.
    assert not await db.outbox.enqueue(owner, "notice", "n2", {}, NOW)


async def test_network_errors_are_retried_then_recorded_as_failed(db):
    _a, b = await owners(db, 2)
    transport = Recorder()
    transport.failures["1"] = [Unavailable("502 Bad Gateway")]  # once: then it works
    transport.failures["2"] = [Unavailable("timed out")] * 5  # always
    await db.outbox.enqueue_owners("broadcast", "b", {}, "SELECT id FROM owners", (), NOW)
    s = sender(db, transport, max_attempts=3, per_chat_interval=0)
    s.clock = Ticking(NOW)
    await run(s)
    counts = await db.outbox.counts("broadcast", "b")
    assert counts.get("sent") == 1 and counts.get("failed") == 1
    assert await db.outbox.failures("broadcast", "b") == [(b, "timed out")]
    assert transport.chats() == ["1"]


async def test_a_rejected_message_fails_at_once_with_the_reason(db):
    (owner,) = await owners(db, 1)
    transport = Recorder()
    transport.failures["1"] = [Rejected("Bad Request: can't parse entities")]
    await db.outbox.enqueue(owner, "notice", "n", {}, NOW)
    await run(sender(db, transport))
    assert await db.outbox.failures("notice", "n") == [(owner, "Bad Request: can't parse entities")]


async def test_retry_later_pauses_all_sending(db):
    await owners(db, 5)
    transport = Recorder()
    transport.failures["1"] = [RetryLater(0.3)]
    await db.outbox.enqueue_owners("broadcast", "b", {}, "SELECT id FROM owners", (), NOW)
    s = sender(db, transport, rate=1000, per_chat_interval=0)
    s.clock = Ticking(NOW)
    claims = []  # (when, how many rows) of every look at the outbox
    claim = db.outbox.claim

    async def counted_claim(*args):
        batch = await claim(*args)
        claims.append((time.monotonic(), len(batch)))
        return batch

    db.outbox.claim = counted_claim
    start = time.monotonic()
    await run(s)
    [(_chat, _error, paused_at)] = transport.failed
    assert s.paused_until >= paused_at + 0.3 > start
    assert not [n for at, n in claims if paused_at <= at < s.paused_until and n]  # none claimed
    assert sorted(transport.chats()) == ["1", "2", "3", "4", "5"]
    assert min(transport.times()) >= start + 0.3


async def test_one_chat_gets_at_most_one_message_per_interval(db):
    (owner,) = await owners(db, 1)
    for n in range(3):
        await db.outbox.enqueue(owner, "notice", f"n{n}", {}, NOW)
    transport = Recorder()
    s = sender(db, transport, per_chat_interval=0.2)
    s.clock = lambda: datetime.now(UTC)  # not_before follows real time in this test
    await run(s)
    times = transport.times()
    assert len(times) == 3
    assert all(b - a >= 0.19 for a, b in pairwise(times))


async def test_rows_in_flight_at_a_crash_are_sent_again_and_counted(db):
    await owners(db, 4)
    await db.outbox.enqueue_owners("broadcast", "b", {}, "SELECT id FROM owners", (), NOW)
    claimed = await db.outbox.claim(["telegram"], NOW, 2)  # the process dies right here
    assert len(claimed) == 2
    transport = Recorder()
    s = sender(db, transport)
    await run(s)
    assert s.recovered == 2
    assert sorted(transport.chats()) == ["1", "2", "3", "4"]
    counts = await db.outbox.counts("broadcast", "b")
    assert counts["sent"] == 4 and counts["resent"] == 2


async def test_a_renderer_that_skips_and_one_that_breaks(db):
    a, _b = await owners(db, 2)
    await db.outbox.enqueue_owners("notice", "n", {}, "SELECT id FROM owners", (), NOW)

    async def picky(item):
        if item.owner_id == a:
            return None
        raise ValueError("bug")

    s = Sender(db, {"telegram": Recorder()}, picky, BroadcastConfig(rate=100), lambda: NOW)
    await run(s)
    counts = await db.outbox.counts("notice", "n")
    assert counts.get("skipped") == 1 and counts.get("failed") == 1


async def test_the_streaming_loop_sends_each_row_once_and_records_as_it_goes(db):
    await owners(db, 120)
    await db.outbox.enqueue_owners("broadcast", "b", {}, "SELECT id FROM owners", (), NOW)
    transport = Recorder()
    s = sender(db, transport, rate=400)
    s.batch_size = 20  # several claims while sending
    await run(s)
    assert sorted(transport.chats()) == sorted(str(n) for n in range(1, 121))
    assert (await db.outbox.counts("broadcast", "b")) == {"sent": 120, "resent": 0}


async def test_a_stop_mid_stream_returns_rows_not_started_untouched(db):
    await owners(db, 30)
    await db.outbox.enqueue_owners("broadcast", "b", {}, "SELECT id FROM owners", (), NOW)
    release = asyncio.Event()

    class Slow(Recorder):
        async def deliver(self, chat_id, reply):
            await release.wait()
            return await super().deliver(chat_id, reply)

    transport = Slow()
    s = sender(db, transport, rate=1000)
    await s.start()

    async def claimed():
        return (await db.outbox.counts("broadcast", "b")).get("sending", 0) > 0
    await eventually(claimed)
    stopping = asyncio.create_task(s.stop())
    await asyncio.sleep(0)
    release.set()  # the sends in progress finish; nothing new starts
    await stopping
    counts = await db.outbox.counts("broadcast", "b")
    assert counts.get("sending", 0) == 0 and counts["resent"] == 0
    assert counts.get("sent", 0) == len(transport.sent) < 30
    assert counts["queued"] == 30 - len(transport.sent)


async def test_a_retry_after_a_lost_answer_counts_as_possibly_received_twice(db):
    await owners(db, 2)
    transport = Recorder()
    transport.failures["1"] = [Unavailable("timed out", maybe_delivered=True)]
    transport.failures["2"] = [Unavailable("502 Bad Gateway")]  # refused: not delivered
    await db.outbox.enqueue_owners("broadcast", "b", {}, "SELECT id FROM owners", (), NOW)
    s = sender(db, transport, per_chat_interval=0)
    s.clock = Ticking(NOW)
    await run(s)
    assert await db.outbox.counts("broadcast", "b") == {"sent": 2, "resent": 1}
