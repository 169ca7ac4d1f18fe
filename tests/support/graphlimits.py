"""The limits Meta enforces on what a business number sends, as the fake Graph API applies them:

- the throughput of one number (about 80 messages/s; `rate`): beyond it, 130429 at once;
- the pair rate to one person (about one message per 6 s, in bursts of up to 45; `pair_*`):
  beyond it, 131056 at once;
- the 24-hour window: a free-form message to someone who has not written within 24 hours is
  accepted, then fails with 131047 (a status webhook);
- the daily reach of a new business (250 unique people per rolling 24 hours outside the
  window; `daily_limit`): a template beyond it is accepted, then fails with 131048;
- people who stopped marketing messages: a marketing template to them fails with 131050; people
  not on WhatsApp any more (`unreachable`): anything fails with 131026.

Time: rates use the real monotonic clock (they are about how fast the bot sends); the window
and the daily reach use the fake's clock, which a test moves (they are about days).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class Verdict:
    """What the fake does with a message: refuse it now (HTTP 4xx), or accept and fail it."""

    code: int
    title: str
    now: bool  # refused at once; else accepted, then a failed status webhook


@dataclass
class Limits:
    """The state of the limits of one business number."""

    clock: Callable[[], datetime]
    rate: float | None = None  # messages per second; None: no limit
    pair_burst: float = 45.0
    pair_interval: float = 6.0
    daily_limit: int | None = 250  # unique people outside the window per 24 h; None: no limit
    last_inbound: dict[str, datetime] = field(default_factory=dict)  # user_id / wa_id -> when
    reached: dict[str, datetime] = field(default_factory=dict)  # people reached outside
    stopped_marketing: set[str] = field(default_factory=set)
    unreachable: set[str] = field(default_factory=set)
    counts: dict[int, int] = field(default_factory=dict)  # error code -> how often
    _times: deque[float] = field(default_factory=deque)
    _pairs: dict[str, tuple[float, float]] = field(default_factory=dict)  # tokens, at

    def wrote(self, *who: str) -> None:
        """A person wrote to the business just now (their window opens)."""
        now = self.clock()
        for person in who:
            self.last_inbound[person] = now

    def inside(self, person: str) -> bool:
        """Whether the person wrote within the last 24 hours (the fake's clock)."""
        last = self.last_inbound.get(person)
        return last is not None and self.clock() - last < WINDOW

    def _count(self, code: int) -> None:
        self.counts[code] = self.counts.get(code, 0) + 1

    def _throughput(self) -> bool:
        if self.rate is None:
            return True
        now = time.monotonic()
        while self._times and self._times[0] <= now - 1.0:
            self._times.popleft()
        if len(self._times) >= self.rate:
            return False
        self._times.append(now)
        return True

    def _pair(self, person: str) -> bool:
        now = time.monotonic()
        tokens, at = self._pairs.get(person, (self.pair_burst, now))
        tokens = min(self.pair_burst, tokens + (now - at) / self.pair_interval)
        if tokens < 1:
            self._pairs[person] = (tokens, now)
            return False
        self._pairs[person] = (tokens - 1, now)
        return True

    def _reach(self, person: str) -> bool:
        if self.daily_limit is None:
            return True
        now = self.clock()
        self.reached = {p: t for p, t in self.reached.items() if now - t < WINDOW}
        if person in self.reached:
            return True
        if len(self.reached) >= self.daily_limit:
            return False
        self.reached[person] = now
        return True

    def judge(self, person: str, template: bool, marketing: bool) -> Verdict | None:
        """What happens to one message to `person` (None: it is delivered)."""
        verdict = None
        if not self._throughput():
            verdict = Verdict(130429, "Rate limit hit", now=True)
        elif not self._pair(person):
            verdict = Verdict(131056, "(Business Account, Consumer Account) pair rate limit hit",
                              now=True)
        elif person in self.unreachable:
            verdict = Verdict(131026, "Message undeliverable", now=False)
        elif not template and not self.inside(person):
            verdict = Verdict(131047, "Re-engagement message", now=False)
        elif template and marketing and person in self.stopped_marketing:
            verdict = Verdict(131050, "User stopped marketing messages", now=False)
        elif template and not self.inside(person) and not self._reach(person):
            verdict = Verdict(131048, "Spam rate limit hit", now=False)
        if verdict is not None:
            self._count(verdict.code)
        return verdict
