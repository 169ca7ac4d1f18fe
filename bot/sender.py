"""The one sender: drains the outbox under each messenger's limits, for every kind of message.

Reminders, invitations, notices and broadcasts all go through here. Each channel has its own
lane: its overall rate (`Budget`, shared with the replies to owners, which go first), its
per-chat pacing (one message per `per_chat_interval` to one chat: Telegram 1 s, WhatsApp 6 s in
bulk), its pauses, its workers; the lanes run side by side, so Telegram and WhatsApp each send at
their own full rate at the same time. On a RetryLater the lane pauses for as long as asked (or,
for a pair limit, only that chat's row waits); a blocked owner is marked and never retried;
network and server errors are retried with backoff a bounded number of times, then recorded as
failed with the reason.

On a channel with a messaging window (WhatsApp), `Outreach` decides per message at send time:
the normal message inside the window, its template outside, or held ("waiting") when there is no
template or the day's reach is used up — never sent free-form outside the window.

Crash safety: rows are claimed ("sending") in small batches before they are sent and marked right
after; after a crash the rows still "sending" are the in-flight ones. They are sent again and
counted (`resent`), so the only possible duplicates are exactly those, and nobody is missed.

Throughput: each lane (`bot.lane`) streams rows from the outbox to its channel.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from bot.channel import Channel, Reply
from bot.config import BroadcastConfig
from bot.lane import Lane
from bot.storage import Database
from bot.storage.outbox import Item

if TYPE_CHECKING:
    from bot.outreach import Outreach

log = logging.getLogger(__name__)
# Render one claimed row into a message, or None to skip it (e.g. its session was cancelled).
RowRenderer = Callable[[Item], Awaitable[Reply | None]]


class Sender:
    """Sends queued outbox rows through the channels' transports, one lane per channel."""

    def __init__(self, db: Database, transports: Mapping[str, Channel], render: RowRenderer,
                 config: BroadcastConfig, clock: Callable[[], datetime], *,
                 outreach: Outreach | None = None) -> None:
        self.db = db
        self.transports = dict(transports)
        self.render = render
        self.config = config
        self.clock = clock
        self.outreach = outreach
        self.stopping = False
        self.recovered = 0  # rows that were in flight when the process last died
        self.lanes = {name: Lane(self, name, transport)
                      for name, transport in self.transports.items()}

    async def start(self) -> None:
        """Recover rows left in flight by a crash, then start sending in the background."""
        self.recovered = await self.db.outbox.recover()
        if self.recovered:
            log.warning("%d outbox messages were in flight at the last crash; sending them again",
                        self.recovered)
        if self.outreach is not None:
            await self.outreach.start()
        for lane in self.lanes.values():
            lane.task = asyncio.create_task(lane.run(), name=f"sender:{lane.name}")

    async def stop(self, timeout: float = 10.0) -> None:
        """Finish the batches being sent (bounded by `timeout`), then stop."""
        self.stopping = True
        for lane in self.lanes.values():
            lane.wake()
        tasks = [lane.task for lane in self.lanes.values() if lane.task is not None]
        if tasks:
            _done, pending = await asyncio.wait(tasks, timeout=timeout)
            if pending:
                log.warning("sender did not finish its batch in %s s; stopping it", timeout)
                for task in pending:
                    task.cancel()
                await asyncio.gather(*pending, return_exceptions=True)
        for lane in self.lanes.values():
            lane.task = None

    def wake(self) -> None:
        """Something was queued: look at the outbox now."""
        for lane in self.lanes.values():
            lane.wakeup.set()

    def spend(self, channel: str, count: int = 1) -> None:
        """Replies to an owner on `channel` go out now and count against its rate."""
        lane = self.lanes.get(channel)
        if lane is not None:
            lane.budget.spend(count)

    @property
    def sent(self) -> int:
        """Messages sent since start, over every channel."""
        return sum(lane.sent for lane in self.lanes.values())

    # Tests look at (and end) a pause, or claim in smaller batches, on every lane at once.
    @property
    def paused_until(self) -> float:
        """The latest time.monotonic() before which some lane sends nothing."""
        return max((lane.paused_until for lane in self.lanes.values()), default=0.0)

    @paused_until.setter
    def paused_until(self, value: float) -> None:
        for lane in self.lanes.values():
            lane.paused_until = value

    @property
    def batch_size(self) -> int:
        """Rows claimed per batch (the largest over the lanes)."""
        return max((lane.batch_size for lane in self.lanes.values()), default=1)

    @batch_size.setter
    def batch_size(self, value: int) -> None:
        for lane in self.lanes.values():
            lane.batch_size = value

    def lane(self, channel: str) -> Lane:
        """One channel's lane (its budget, pause and pacing)."""
        return self.lanes[channel]
