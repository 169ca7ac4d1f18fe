"""One channel's sending budget: a token bucket that answers to owners first.

A messenger limits how many messages a bot sends per second, replies and bulk alike (Telegram
about 30, WhatsApp about 80 per number). `Budget` is that allowance for one channel: replies to
an owner who is waiting `spend` it at once and never wait (the bucket may go briefly into debt),
and bulk sending (`acquire`) waits its turn, first come first served, until the bucket holds a
whole message again. So a busy broadcast slows down while owners talk to the bot, never the other
way round.

The bucket aims a little under the limit and holds only a small part of a second's worth, so no
one-second window carries more than the limit (aiolimiter's leaky bucket, which this replaces in
the sender, has no priorities).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

RATE_MARGIN = 0.03  # aim this much under the limit
RATE_BURST = 0.02  # the bucket holds this much of a second's worth (at least one message)
DEBT_SECONDS = 1.0  # replies may run the bucket at most a second's worth into debt


class Budget:
    """A token bucket of `rate` messages per second for one channel."""

    def __init__(self, rate: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.limit = rate
        self.rate = rate * (1 - RATE_MARGIN)
        self.capacity = max(1.0, rate * RATE_BURST)
        self.clock = clock
        self.sleep = sleep
        self.tokens = self.capacity
        self._at = clock()
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

    async def acquire(self) -> None:
        """Wait until one bulk message may go (after replies, in order)."""
        async with self._turn:
            while True:
                self._refill()
                if self.tokens >= 1 - 1e-9:  # rounding must not leave it a hair short forever
                    self.tokens -= 1
                    return
                await self.sleep(max(1e-4, (1 - self.tokens) / self.rate))
