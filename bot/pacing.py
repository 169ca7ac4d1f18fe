"""One channel's sending budget: a token bucket that answers to owners first.

A messenger limits how many messages a bot sends per second, replies and bulk alike (Telegram
about 30, WhatsApp about 80 per number). `Budget` is that allowance for one channel: replies to
an owner who is waiting `spend` it at once and never wait (the bucket may go briefly into debt),
and bulk sending (`acquire`) waits its turn, first come first served. So a busy broadcast slows
down while owners talk to the bot, never the other way round.

Two rules together, so the sending is both even and under the limit:
- a token bucket spaces the messages evenly, a little under the limit. It holds a message and a
  half, so a wake-up that comes late (an event loop wakes about a millisecond after it was asked)
  is made up by a shorter wait next time instead of being lost on every message;
- a count of the last second's messages caps any one-second window at the limit less the margin
  (29 of Telegram's 30). Making up for late wake-ups can thus never add up to a burst over the
  limit, and the margin is kept for the messages' jitter on the way to the messenger.

(aiolimiter's leaky bucket, which this replaces in the sender, has no priorities.)
"""

from __future__ import annotations

import asyncio
import collections
import math
import time
from collections.abc import Awaitable, Callable

RATE_MARGIN = 0.03  # aim this much under the limit
RATE_BURST = 0.02  # the bucket holds this much of a second's worth (at least 1.5 messages)
MIN_CAPACITY = 1.5  # messages: room to make up a late wake-up
WINDOW = 1.0  # seconds: the messenger counts messages per second
DEBT_SECONDS = 1.0  # replies may run the bucket at most a second's worth into debt


class Budget:
    """A token bucket of `rate` messages per second for one channel, capped per second."""

    def __init__(self, rate: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.limit = rate
        self.rate = rate * (1 - RATE_MARGIN)
        self.capacity = max(MIN_CAPACITY, rate * RATE_BURST)
        self.per_window = max(1, math.floor(self.rate * WINDOW))  # messages in any one second
        self.clock = clock
        self.sleep = sleep
        self.tokens = self.capacity
        self._at = clock()
        # When the last `per_window` messages went: the oldest must be a second old first.
        self._recent: collections.deque[float] = collections.deque(maxlen=self.per_window)
        self._turn = asyncio.Lock()  # bulk waits in order

    def _refill(self) -> None:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self._at) * self.rate)
        self._at = now

    def spend(self, count: int = 1) -> None:
        """Messages to an owner who is waiting: sent at once, taken from the budget."""
        if count <= 0:
            return
        self._refill()
        self.tokens = max(-self.rate * DEBT_SECONDS, self.tokens - count)
        self._recent.extend([self._at] * min(count, self.per_window))

    def _wait(self) -> float:
        """Seconds until one more bulk message may go (0 or less: now)."""
        self._refill()
        wait = 0.0 if self.tokens >= 1 - 1e-9 else (1 - self.tokens) / self.rate
        if len(self._recent) == self.per_window:
            wait = max(wait, self._recent[0] + WINDOW - self._at)
        return wait

    async def acquire(self) -> None:
        """Wait until one bulk message may go (after replies, in order)."""
        async with self._turn:
            while (wait := self._wait()) > 1e-9:  # rounding must not leave it short forever
                await self.sleep(max(1e-4, wait))
            self.tokens -= 1
            self._recent.append(self._at)
