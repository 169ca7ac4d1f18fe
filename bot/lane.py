"""One channel's lane of the sender (`bot.sender`): its budget, per-chat pacing, pauses and
workers, streaming rows from the outbox to the channel.

Each lane streams. A few persistent workers take rows from an in-memory queue, which is topped
up to one batch whenever it is half empty (so the budget never waits on the database); outcomes
are recorded every quarter batch. The in-flight window (claimed, not yet recorded) thus stays
about 1.25 batches: `BATCH_SECONDS` of sending and a little more.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.channel import Channel, Reply, TemplateMessage
from bot.delivery import (
    OutsideWindow,
    Rejected,
    RetryLater,
    StoppedMarketing,
    Unavailable,
    UserGone,
)
from bot.pacing import Budget
from bot.storage.outbox import Item, SendResult

if TYPE_CHECKING:
    from bot.sender import Sender

log = logging.getLogger(__name__)
BATCH_SECONDS = 0.25  # claim about this much sending time per batch: the in-flight window
MAX_BACKOFF = 60.0
# Concurrent sends: enough for the rate at the observed round trip (RTT, at first assumed),
# plus two; at most 8 (enough for 25 messages/s up to a 0.24 s round trip), more only for rates
# that need them (one per 40 messages/s, up to MAX_WORKERS). Few on purpose: each concurrent
# request costs the HTTP client's connection pool more than it gains once the rate is reached.
RTT_ASSUMED = 0.3
PAUSE_MEMORY = 5.0  # seconds: a pause asked within this of the last one waits twice as long
MAX_WORKERS = 32


class Lane:
    """One channel's sending: budget, pauses, per-chat pacing, the streaming loop."""

    def __init__(self, sender: Sender, name: str, transport: Channel) -> None:
        self.sender = sender
        self.name = name
        self.transport = transport
        limits = sender.config.limits(name)
        self.rate = limits.rate
        self.per_chat_interval = limits.per_chat_interval
        self.budget = Budget(limits.rate)
        capabilities = getattr(transport, "capabilities", None)
        self.window = bool(capabilities is not None and capabilities.window_hours)
        self.batch_size = max(1, min(500, round(limits.rate * BATCH_SECONDS)))
        most = max(8, min(MAX_WORKERS, round(limits.rate / 40)))
        self.workers = max(2, min(most, round(limits.rate * RTT_ASSUMED)))
        self.rtt = RTT_ASSUMED  # seconds per delivery, smoothed
        self.paused_until = 0.0  # time.monotonic() before which nothing is sent
        self._pauses = (0, 0.0)  # pauses asked in a row, and when the last one was asked
        self.sent = 0
        self._last_sent: dict[str, float] = {}
        self.wakeup = asyncio.Event()
        self.wakeup_stream: asyncio.Event | None = None
        self.task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """Look at the outbox now."""
        self.wakeup.set()
        if self.wakeup_stream is not None:
            self.wakeup_stream.set()

    async def run(self) -> None:
        """Send whatever is due, then wait for more, until the sender stops."""
        while not self.sender.stopping:
            # Cleared before looking at the outbox, so a wake() during the look is not lost.
            self.wakeup.clear()
            try:
                sent = await self._stream()
            except Exception:  # the loop must survive a bad batch; it is logged and retried
                log.exception("sender batch on %s failed", self.name)
                sent = 0
            if sent == 0 and not self.sender.stopping:
                await self._idle()

    def _held(self) -> bool:
        return self.sender.stopping or self.paused_until > time.monotonic()

    async def _stream(self) -> int:
        """Send while rows are due, claiming ahead and recording as it goes; return how many."""
        db = self.sender.db
        queue: asyncio.Queue[Item] = asyncio.Queue()
        low = asyncio.Event()  # outcomes to record, or the queue is half empty: refill it
        low.set()
        half, quarter = max(1, self.batch_size // 2), max(1, self.batch_size // 4)
        claimed: dict[int, Item] = {}
        taken: set[int] = set()  # handed to a worker
        outcomes: list[SendResult] = []
        total = 0
        active = 0  # workers running; one leaves when the RTT says fewer are enough

        async def work() -> None:
            nonlocal active
            while True:
                if active > self._concurrency():
                    active -= 1
                    return
                item = await queue.get()
                taken.add(item.id)
                try:
                    if self._held():
                        outcomes.append(SendResult(item.id, "queued", item.attempts))
                    else:
                        outcomes.append(await self._send(item))
                finally:
                    queue.task_done()
                if queue.qsize() <= half or len(outcomes) >= quarter:
                    low.set()

        workers: list[asyncio.Task[None]] = []
        self.wakeup_stream = low
        try:
            while not self._held():
                await low.wait()
                low.clear()
                await self._record(outcomes, claimed)
                while active < self._concurrency():
                    active += 1
                    workers.append(asyncio.create_task(work()))
                if self._held():
                    break
                if queue.qsize() > half:
                    continue
                batch = await db.outbox.claim([self.name], self.sender.clock(),
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
            self.wakeup_stream = None
            # Claimed rows no worker took go back untouched; one cut off mid-send stays
            # "sending", so the next start counts it as possibly sent twice.
            outcomes += [SendResult(item.id, "queued", item.attempts)
                         for item in claimed.values() if item.id not in taken]
            await self._record(outcomes, claimed)
        return total

    def _concurrency(self) -> int:
        """How many sends to keep going at once: the rate times the round trip, plus two."""
        return max(2, min(self.workers, math.ceil(self.rate * self.rtt) + 2))

    async def _record(self, outcomes: list[SendResult], claimed: dict[int, Item]) -> None:
        """Write the outcomes so far in one transaction; mark owners who blocked the bot."""
        done = outcomes[:]
        del outcomes[:len(done)]
        if not done:
            return
        db, now = self.sender.db, self.sender.clock()
        applied = await db.outbox.finish(done, now, self.name if self.window else None)
        db.owners.forget(applied.unreachable + applied.stopped_marketing)
        if applied.requeued:
            self.wakeup.set()
        for outcome in done:
            item = claimed.pop(outcome.id, None)
            if outcome.status == "blocked" and item is not None and item.owner_id is not None:
                await db.owners.mark_blocked(item.owner_id, now)

    async def _idle(self) -> None:
        wait = 5.0
        due = await self.sender.db.outbox.next_due([self.name])
        if due is not None:
            wait = min(wait, max(0.0, (due - self.sender.clock()).total_seconds()))
        wait = max(wait, self.paused_until - time.monotonic())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.wakeup.wait(), max(wait, 0.01))

    def _later(self, seconds: float) -> datetime:
        return self.sender.clock() + timedelta(seconds=seconds)

    async def _send(self, item: Item) -> SendResult:
        sender = self.sender
        try:
            reply = await sender.render(item)
        except Exception as exc:  # a renderer bug must not stop everybody else's messages
            log.exception("rendering outbox row %d (%s) failed", item.id, item.kind)
            return SendResult(item.id, "failed", item.attempts + 1, error=f"render: {exc!r}"[:200])
        if reply is None:
            return SendResult(item.id, "skipped", item.attempts)
        message: Reply | TemplateMessage = reply
        outreach = sender.outreach if self.window else None
        if outreach is not None:
            try:
                prepared = await outreach.prepare(item, reply)
            except Exception as exc:  # as for a renderer: this row fails, the others go on
                log.exception("preparing outbox row %d (%s) failed", item.id, item.kind)
                return SendResult(item.id, "failed", item.attempts + 1,
                               error=f"template: {exc!r}"[:200])
            if prepared is None:
                return SendResult(item.id, "skipped", item.attempts)
            if not isinstance(prepared, Reply | TemplateMessage):  # held, with its reason
                return SendResult(item.id, "queued", item.attempts, not_before=prepared.until,
                               error=f"waiting: {prepared.reason}", waiting=prepared.reason)
            message = prepared
        outcome = await self._deliver(item, message)
        if isinstance(message, TemplateMessage) and outreach is not None:
            if outcome.status == "sent":
                outreach.sent(item)
            else:
                outreach.release(item)  # its place in the day's reach was not used
        return outcome

    async def _deliver(self, item: Item, message: Reply | TemplateMessage) -> SendResult:
        answered = await self.budget.acquire()
        try:
            return await self._deliver_now(item, message)
        finally:
            answered()  # the budget counts it from here (bot/pacing.py)

    async def _deliver_now(self, item: Item, message: Reply | TemplateMessage) -> SendResult:
        """Send one row now that the budget let it go; its outcome."""
        now = time.monotonic()
        if self.paused_until > now:
            return SendResult(item.id, "queued", item.attempts)
        last = self._last_sent.get(item.chat_id)
        if last is not None and now - last < self.per_chat_interval:
            return SendResult(item.id, "queued", item.attempts,
                           not_before=self._later(self.per_chat_interval - (now - last)))
        self._last_sent[item.chat_id] = now  # no await between the check and this
        self._forget_old_chats()
        attempts = item.attempts + 1
        started = time.monotonic()
        template = isinstance(message, TemplateMessage)
        try:
            if isinstance(message, TemplateMessage):
                sent_id = await self.transport.deliver_template(  # type: ignore[attr-defined]
                    item.chat_id, message)
            else:
                sent_id = await self.transport.deliver(item.chat_id, message)
        except RetryLater as exc:
            if exc.per_chat:  # only this chat must wait (a pair limit)
                return SendResult(item.id, "queued", item.attempts,
                               not_before=self._later(exc.seconds))
            seconds = self._pause(exc.seconds)
            return SendResult(item.id, "queued", item.attempts, not_before=self._later(seconds))
        except UserGone:
            return SendResult(item.id, "blocked", attempts, error="blocked by the owner")
        except OutsideWindow as exc:
            if not template and not item.forced_template:
                return SendResult(item.id, "queued", item.attempts, error=str(exc)[:200],
                               force_template=True)
            return SendResult(item.id, "failed", attempts, error=str(exc)[:200])
        except StoppedMarketing as exc:
            if item.owner_id is not None:
                await self.sender.db.owners.stop_marketing(item.owner_id, self.sender.clock())
                await self.sender.db.outbox.withdraw_marketing(item.owner_id)
            return SendResult(item.id, "failed", attempts, error=str(exc)[:200])
        except Rejected as exc:
            return SendResult(item.id, "failed", attempts, error=str(exc)[:200] or "rejected")
        except Exception as exc:  # Unavailable, or a transport bug: bounded retries either way
            reason = str(exc)[:200] or type(exc).__name__
            if not isinstance(exc, Unavailable):
                log.exception("unexpected error sending outbox row %d", item.id)
            maybe = isinstance(exc, Unavailable) and exc.maybe_delivered
            if attempts >= self.sender.config.max_attempts:
                return SendResult(item.id, "failed", attempts, error=reason, maybe_delivered=maybe)
            backoff = min(MAX_BACKOFF, 2.0 ** attempts)
            return SendResult(item.id, "queued", attempts, error=reason,
                           not_before=self._later(backoff), maybe_delivered=maybe)
        self.sent += 1
        self.rtt = 0.9 * self.rtt + 0.1 * (time.monotonic() - started)
        if not self.window:
            return SendResult(item.id, "sent", attempts)
        return SendResult(item.id, "sent", attempts, message_id=sent_id,
                       via="template" if template else "text")

    def _pause(self, seconds: float) -> float:
        """Stop the lane for `seconds`, longer each time it is asked again soon after (the
        rate is really too high, not a moment's bunching on the way); how long it stops."""
        now = time.monotonic()
        count, last = self._pauses
        count = count + 1 if now - last < PAUSE_MEMORY else 0
        self._pauses = (count, now)
        seconds *= 2 ** min(count, 4)
        self.paused_until = max(self.paused_until, now + seconds)
        log.warning("%s asked to pause sending for %.2f s", self.name, seconds)
        return seconds

    def _forget_old_chats(self) -> None:
        if len(self._last_sent) > 10_000:
            horizon = time.monotonic() - self.per_chat_interval
            self._last_sent = {c: t for c, t in self._last_sent.items() if t > horizon}
