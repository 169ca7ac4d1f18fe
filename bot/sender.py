"""The one sender: drains the outbox under the messenger's limits, for every kind of message.

Reminders, invitations, notices and broadcasts all go through here, so the overall rate limit
holds for all of them together. The overall rate uses aiolimiter's leaky bucket with a small
bucket (so no burst can exceed the limit within any one-second window); one chat gets at most one
message per `per_chat_interval`. On RetryLater all sending pauses for as long as asked; a blocked
owner is marked and never retried; network and server errors are retried with backoff a bounded
number of times, then recorded as failed with the reason.

Crash safety: rows are claimed ("sending") in small batches before they are sent and marked right
after; after a crash the rows still "sending" are the in-flight ones. They are sent again and
counted (`resent`), so the only possible duplicates are exactly those, and nobody is missed.

Throughput: the loop streams. A few persistent workers take rows from an in-memory queue, which
is topped up to one batch whenever it is half empty (so the limiter never waits on the
database); outcomes are recorded every quarter batch. The in-flight window (claimed, not yet
recorded) thus stays about 1.25 batches: `BATCH_SECONDS` of sending and a little more. Few
workers on purpose: each concurrent request costs the HTTP client's connection pool more than it
gains once the rate limit is reached.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta

from aiolimiter import AsyncLimiter

from bot.channel import Channel, Reply
from bot.config import BroadcastConfig
from bot.delivery import Rejected, RetryLater, Unavailable, UserGone
from bot.storage import Database
from bot.storage.outbox import Item, Outcome

log = logging.getLogger(__name__)
# Render one claimed row into a message, or None to skip it (e.g. its session was cancelled).
RowRenderer = Callable[[Item], Awaitable[Reply | None]]
# Aim a little under the limit: the bucket holds RATE_BURST of a second's worth, so within any
# one-second window at most (1 - RATE_MARGIN + RATE_BURST) of the limit can go out.
RATE_MARGIN = 0.03
RATE_BURST = 0.02
BATCH_SECONDS = 0.25  # claim about this much sending time per batch: the in-flight window
MAX_BACKOFF = 60.0
# Concurrent sends: enough for the rate at the observed round trip (RTT, at first assumed),
# plus two; at most MAX_WORKERS (enough for 25 messages/s up to a 0.24 s round trip).
RTT_ASSUMED = 0.3
MAX_WORKERS = 8


class Sender:
    """Sends queued outbox rows through the channels' transports."""

    def __init__(self, db: Database, transports: Mapping[str, Channel], render: RowRenderer,
                 config: BroadcastConfig, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.transports = dict(transports)
        self.render = render
        self.config = config
        self.clock = clock
        rate = config.rate * (1 - RATE_MARGIN)
        bucket = max(1.0, config.rate * RATE_BURST)
        self.limiter = AsyncLimiter(bucket, bucket / rate)
        self.batch_size = max(1, min(500, round(config.rate * BATCH_SECONDS)))
        self.workers = max(2, min(MAX_WORKERS, round(config.rate * RTT_ASSUMED)))
        self.rtt = RTT_ASSUMED  # seconds per delivery, smoothed
        self.paused_until = 0.0  # time.monotonic() before which nothing is sent
        self.recovered = 0  # rows that were in flight when the process last died
        self.sent = 0
        self._last_sent: dict[str, float] = {}
        self._wakeup = asyncio.Event()
        self._wakeup_stream: asyncio.Event | None = None
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Recover rows left in flight by a crash, then start sending in the background."""
        self.recovered = await self.db.outbox.recover()
        if self.recovered:
            log.warning("%d outbox messages were in flight at the last crash; sending them again",
                        self.recovered)
        self._task = asyncio.create_task(self._run(), name="sender")

    async def stop(self, timeout: float = 10.0) -> None:
        """Finish the batch being sent (bounded by `timeout`), then stop."""
        self._stopping = True
        self._wakeup.set()
        if self._wakeup_stream is not None:
            self._wakeup_stream.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout)
            except TimeoutError:
                log.warning("sender did not finish its batch in %s s; stopping it", timeout)
            self._task = None

    def wake(self) -> None:
        """Something was queued: look at the outbox now."""
        self._wakeup.set()

    async def _run(self) -> None:
        while not self._stopping:
            # Cleared before looking at the outbox, so a wake() during the look is not lost.
            self._wakeup.clear()
            try:
                sent = await self._stream()
            except Exception:  # the loop must survive a bad batch; it is logged and retried
                log.exception("sender batch failed")
                sent = 0
            if sent == 0 and not self._stopping:
                await self._idle()

    async def _stream(self) -> int:
        """Send while rows are due, claiming ahead and recording as it goes; return how many."""
        queue: asyncio.Queue[Item] = asyncio.Queue()
        low = asyncio.Event()  # outcomes to record, or the queue is half empty: refill it
        low.set()
        half, quarter = max(1, self.batch_size // 2), max(1, self.batch_size // 4)
        claimed: dict[int, Item] = {}
        taken: set[int] = set()  # handed to a worker
        outcomes: list[Outcome] = []
        total = 0

        active = 0  # workers running; one leaves when the RTT says fewer are enough

        async def work() -> None:
            """Send queued rows until there are more workers than the round trip needs."""
            nonlocal active
            while True:
                if active > self._concurrency():
                    active -= 1
                    return
                item = await queue.get()
                taken.add(item.id)
                try:
                    if self._stopping or self.paused_until > time.monotonic():
                        outcomes.append(Outcome(item.id, "queued", item.attempts))
                    else:
                        outcomes.append(await self._send(item))
                finally:
                    queue.task_done()
                if queue.qsize() <= half or len(outcomes) >= quarter:
                    low.set()

        workers: list[asyncio.Task[None]] = []
        self._wakeup_stream = low
        try:
            while not self._stopping and self.paused_until <= time.monotonic():
                await low.wait()
                low.clear()
                await self._record(outcomes, claimed)
                while active < self._concurrency():
                    active += 1
                    workers.append(asyncio.create_task(work()))
                if self._stopping or self.paused_until > time.monotonic():
                    break
                if queue.qsize() > half:
                    continue
                batch = await self.db.outbox.claim(self.transports, self.clock(),
                                                   self.batch_size - queue.qsize())
                if not batch:
                    if queue.empty():
                        break
                    continue
                for item in batch:
                    claimed[item.id] = item
                    queue.put_nowait(item)
                total += len(batch)
            await queue.join()  # sends in progress finish; rows not started go back as queued
        finally:
            for worker in workers:
                worker.cancel()
            self._wakeup_stream = None
            # Claimed rows no worker took go back untouched; one cut off mid-send stays
            # "sending", so the next start counts it as possibly sent twice.
            outcomes += [Outcome(item.id, "queued", item.attempts)
                         for item in claimed.values() if item.id not in taken]
            await self._record(outcomes, claimed)
        return total

    def _concurrency(self) -> int:
        """How many sends to keep going at once: the rate times the round trip, plus two."""
        return max(2, min(self.workers, math.ceil(self.config.rate * self.rtt) + 2))

    async def _record(self, outcomes: list[Outcome], claimed: dict[int, Item]) -> None:
        """Write the outcomes so far in one transaction; mark owners who blocked the bot."""
        done = outcomes[:]
        del outcomes[:len(done)]
        if not done:
            return
        await self.db.outbox.finish(done, self.clock())
        for outcome in done:
            item = claimed.pop(outcome.id, None)
            if outcome.status == "blocked" and item is not None and item.owner_id is not None:
                await self.db.owners.mark_blocked(item.owner_id, self.clock())

    async def _idle(self) -> None:
        wait = 5.0
        due = await self.db.outbox.next_due(self.transports)
        if due is not None:
            wait = min(wait, max(0.0, (due - self.clock()).total_seconds()))
        wait = max(wait, self.paused_until - time.monotonic())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wakeup.wait(), max(wait, 0.01))

    async def _send(self, item: Item) -> Outcome:
        try:
            reply = await self.render(item)
        except Exception as exc:  # a renderer bug must not stop everybody else's messages
            log.exception("rendering outbox row %d (%s) failed", item.id, item.kind)
            return Outcome(item.id, "failed", item.attempts + 1, error=f"render: {exc!r}"[:200])
        if reply is None:
            return Outcome(item.id, "skipped", item.attempts)
        await self.limiter.acquire()
        now = time.monotonic()
        if self.paused_until > now:
            return Outcome(item.id, "queued", item.attempts)
        last = self._last_sent.get(item.chat_id)
        if last is not None and now - last < self.config.per_chat_interval:
            wait = self.config.per_chat_interval - (now - last)
            return Outcome(item.id, "queued", item.attempts,
                           not_before=self.clock() + timedelta(seconds=wait))
        self._last_sent[item.chat_id] = now  # no await between the check and this
        self._forget_old_chats()
        attempts = item.attempts + 1
        started = time.monotonic()
        try:
            await self.transports[item.channel].deliver(item.chat_id, reply)
        except RetryLater as exc:
            self.paused_until = max(self.paused_until, time.monotonic() + exc.seconds)
            log.warning("the messenger asked to pause sending for %s s", exc.seconds)
            return Outcome(item.id, "queued", item.attempts,
                           not_before=self.clock() + timedelta(seconds=exc.seconds))
        except UserGone:
            return Outcome(item.id, "blocked", attempts, error="blocked by the owner")
        except Rejected as exc:
            return Outcome(item.id, "failed", attempts, error=str(exc)[:200] or "rejected")
        except Exception as exc:  # Unavailable, or a transport bug: bounded retries either way
            reason = str(exc)[:200] or type(exc).__name__
            if not isinstance(exc, Unavailable):
                log.exception("unexpected error sending outbox row %d", item.id)
            maybe = isinstance(exc, Unavailable) and exc.maybe_delivered
            if attempts >= self.config.max_attempts:
                return Outcome(item.id, "failed", attempts, error=reason, maybe_delivered=maybe)
            backoff = min(MAX_BACKOFF, 2.0 ** attempts)
            return Outcome(item.id, "queued", attempts, error=reason,
                           not_before=self.clock() + timedelta(seconds=backoff),
                           maybe_delivered=maybe)
        self.sent += 1
        self.rtt = 0.9 * self.rtt + 0.1 * (time.monotonic() - started)
        return Outcome(item.id, "sent", attempts)

    def _forget_old_chats(self) -> None:
        if len(self._last_sent) > 10_000:
            horizon = time.monotonic() - self.config.per_chat_interval
            self._last_sent = {c: t for c, t in self._last_sent.items() if t > horizon}
