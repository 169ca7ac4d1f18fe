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
