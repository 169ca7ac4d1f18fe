"""One channel's budget: bulk sending keeps under the limit in every second; replies go at once
and push the bulk back. On a clock the test owns (sleeping moves it), so nothing waits."""

from __future__ import annotations

import asyncio

from bot.pacing import Budget


class Time:
    """A monotonic clock that a sleep moves forward."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


def budget(rate: float) -> tuple[Budget, Time]:
    time = Time()
    return Budget(rate, clock=time, sleep=time.sleep), time


async def test_bulk_never_exceeds_the_limit_in_any_second():
    pace, time = budget(80)
    sent = []
    for _ in range(400):
        await pace.acquire()
        sent.append(time.now)
    assert all(sum(1 for u in sent if t <= u < t + 1) <= 80 for t in sent)
    rate = (len(sent) - 1) / (sent[-1] - sent[0])
    assert 0.95 * 80 <= rate <= 80  # and close to it: about 97 %


async def test_replies_go_at_once_and_bulk_waits_for_them():
    pace, time = budget(10)
    for _ in range(3):
        await pace.acquire()
    started = time.now
    pace.spend(5)  # five replies to owners: sent now, no waiting
    assert time.now == started
    await pace.acquire()  # the next bulk message waits until the replies are paid for
    assert time.now - started >= 5 / pace.rate


async def test_replies_cannot_run_the_budget_more_than_a_second_into_debt():
    pace, time = budget(10)
    pace.spend(1000)
    started = time.now
    await pace.acquire()
    assert time.now - started <= (1 + 1 / pace.rate) * 1.01  # at most a second, and one more


async def test_bulk_senders_take_their_turn_in_order():
    pace, _time = budget(5)
    order = []

    async def send(name: str) -> None:
        await pace.acquire()
        order.append(name)
    await asyncio.gather(*(send(n) for n in "abcdef"))
    assert order == list("abcdef")


class LateTime(Time):
    """An event loop's clock: every sleep wakes up to 2 ms after it was asked to."""

    def __init__(self) -> None:
        super().__init__()
        self.wakes = 0

    async def sleep(self, seconds: float) -> None:
        self.wakes += 1
        await super().sleep(seconds + 0.0005 + 0.0015 * (self.wakes % 4) / 3)


async def test_late_wake_ups_are_made_up_without_a_second_over_the_limit():
    for limit in (30, 80):
        time = LateTime()
        pace = Budget(limit, clock=time, sleep=time.sleep)
        sent = []
        for _ in range(10 * limit):
            await pace.acquire()
            sent.append(time.now)
        # No one-second window over the limit less its margin (29 of 30, 77 of 80) ...
        busiest = max(sum(1 for u in sent if t <= u < t + 1) for t in sent)
        assert busiest <= pace.per_window < limit
        # ... and the late wake-ups are not lost: the rate is that cap, not 1 ms a message less.
        rate = (len(sent) - 1) / (sent[-1] - sent[0])
        assert rate >= 0.955 * limit, (limit, rate)


async def test_a_reply_counts_in_the_second_it_was_sent():
    pace, time = budget(10)  # at most 9 messages in any second
    pace.spend(9)
    started = time.now
    await pace.acquire()
    assert time.now - started >= 1.0  # the tenth waits until the replies are a second old
