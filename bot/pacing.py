"""One channel's sending budget: a token bucket that answers to owners first.

A messenger limits how many messages a bot sends per second, replies and bulk alike (Telegram
about 30, WhatsApp about 80 per number). `Budget` is that allowance for one channel: replies to
an owner who is waiting `spend` it at once and never wait (the bucket may go briefly into debt),
and bulk sending (`acquire`) waits its turn, first come first served. So a busy broadcast slows
down while owners talk to the bot, never the other way round.

Two rules, so the sending is even, close to the limit, and never over it:
- A count of the last second's messages caps any one-second window a little under the limit
  (29 of Telegram's 30). A message counts from when it left, plus however much longer than
  usual its answer took: a pause of the event loop (a garbage collection, a busy moment) can
  hold a message up on its way, and then the ones after it must not catch up into its second.
  A long round trip that is usual (Indonesia to Telegram's servers) costs nothing.
- A token bucket spaces the messages evenly, a hair under that cap so the cap rarely has to
  hold anything back. It holds a message and a half, so a wake-up that comes late (an event
  loop wakes a millisecond or more after it was asked) is made up by a shorter wait next time
  rather than lost on every message.

(aiolimiter's leaky bucket, which this replaces in the sender, has no priorities.)
"""

from __future__ import annotations

import asyncio
import collections
import math
import time
from collections.abc import Awaitable, Callable

RATE_MARGIN = 0.03  # the cap: this much under the limit (rounded down to whole messages)
EVEN_MARGIN = 0.005  # the bucket: this much under the cap
RATE_BURST = 0.02  # the bucket holds this much of a second's worth (at least MIN_CAPACITY)
MIN_CAPACITY = 1.5  # messages: room to make up a late wake-up
WINDOW = 1.0  # seconds: the messenger counts messages per second
FLIGHT_MAX = 10.0  # seconds: a message not answered by then counts from when it left
RTT_SMOOTHING = 0.05  # how fast the usual round trip follows the answers' times
DEBT_SECONDS = 1.0  # replies may run the bucket at most a second's worth into debt


class _Sent:
    """One message in the last second's count: when it counts from, and whether that is known
    (its answer came back)."""

    __slots__ = ("answered", "at")

    def __init__(self, at: float, answered: bool) -> None:
        self.at = at
        self.answered = answered


class Budget:
    """A token bucket of about `rate` messages per second for one channel, capped per second."""

    def __init__(self, rate: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.per_window = max(1, math.floor(rate * (1 - RATE_MARGIN) * WINDOW))
        self.rate = self.per_window / WINDOW * (1 - EVEN_MARGIN)
        self.capacity = max(MIN_CAPACITY, self.rate * RATE_BURST)
        self.clock = clock
        self.sleep = sleep
        self.tokens = self.capacity
        self._at = clock()
        # The last `per_window` messages: the oldest must be a second old before another goes.
        self._recent: collections.deque[_Sent] = collections.deque(maxlen=self.per_window)
        self.rtt: float | None = None  # seconds a message's answer usually takes (smoothed)
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
        self._recent.extend(_Sent(self._at, True) for _ in range(min(count, self.per_window)))

    def _wait(self) -> float:
        """Seconds until one more bulk message may go (0 or less: now)."""
        self._refill()
        wait = 0.0 if self.tokens >= 1 - 1e-9 else (1 - self.tokens) / self.rate
        if len(self._recent) == self.per_window:
            oldest = self._recent[0]
            usual, age = self.rtt or 0.0, self._at - oldest.at
            if oldest.answered or age <= usual or age >= FLIGHT_MAX:
                wait = max(wait, oldest.at + WINDOW - self._at)
            else:  # later than usual and still on its way: it may arrive now, or later
                wait = max(wait, WINDOW - usual, 1 / self.rate)
        return wait

    async def acquire(self) -> Callable[[], None]:
        """Wait until one bulk message may go (after replies, in order). Returns the call to
        make when the messenger has answered it (or the message was not sent after all)."""
        async with self._turn:
            while (wait := self._wait()) > 1e-9:  # rounding must not leave it short forever
                await self.sleep(max(1e-4, wait))
            self.tokens -= 1
            sent = _Sent(self._at, False)
            self._recent.append(sent)

        def answered() -> None:
            if sent.answered:
                return
            took = self.clock() - sent.at
            usual = took if self.rtt is None else self.rtt
            sent.at += max(0.0, took - usual)  # held up on its way: it may have arrived that late
            sent.answered = True
            # A request that timed out after many seconds says little about the usual.
            self.rtt = usual + RTT_SMOOTHING * (min(took, WINDOW) - usual)
        return answered
