"""The load side of the throughput benchmark, in a process of its own: the fake Bot API and the
simulated owners, so that they do not share an event loop (or a core) with the bot measured.

Each simulated owner sends one update, waits until the bot has answered it, and sends the next:
the whole questionnaire for the conversation bot, the same updates for the echo bot. Latency is
the time from the fake handing the update out in a getUpdates answer to the fake receiving the
answer the owner waits for (the next question; the echo).
"""

from __future__ import annotations

import asyncio
import re
import statistics
import time
from collections import Counter
from multiprocessing.connection import Connection
from typing import Any

from tests.support.fakebotapi import FakeBotAPI
from tests.support.script import CONSENT_DATA, ELIGIBLE, SUBMIT_DATA

# The scripted eligible owner of the tests, as updates: ("text" | "press" | "toggle", payload).
SCRIPT = [("text", "/start"), ("press", CONSENT_DATA), *ELIGIBLE.updates(),
          ("press", SUBMIT_DATA)]
# What tells the owner that the conversation bot has answered: what it asks or says next (the
# welcome, a question "3/12 · …", the summary, the result).
PROMPTS = ("Welcome to", "/12 · ", "Please check your answers", "Good news")


class LoadFake(FakeBotAPI):
    """The fake, noting when each update is handed out and calling back per chat."""

    def __init__(self) -> None:
        super().__init__(record=False)
        self.handed_out: dict[int, float] = {}
        self.listeners: dict[int, Any] = {}
        self.calls: Counter[str] = Counter()  # Bot API calls by method, getUpdates included

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        updates = await super()._get_updates(params)
        self.calls["getUpdates"] += 1
        now = time.perf_counter()
        for update in updates:
            self.handed_out.setdefault(update["update_id"], now)
        return updates

    def _call(self, method: str, params: dict[str, Any],
              chat_id: int | None) -> tuple[int, dict[str, Any]]:
        answer = super()._call(method, params, chat_id)
        self.calls[method] += 1
        listener = self.listeners.get(chat_id) if chat_id is not None else None
        if listener is not None:
            listener(method, params)
        return answer


async def owner(fake: LoadFake, user_id: int, echo: bool, latencies: list[float]) -> None:
    """One owner going through the script, one update at a time."""
    user = fake.user(user_id, language_code="en")
    loop = asyncio.get_running_loop()
    for kind, payload in SCRIPT:
        done: asyncio.Future[float] = loop.create_future()
        toggle = kind == "toggle"

        def listen(method: str, params: dict[str, Any], done=done, toggle=toggle) -> None:
            if done.done():
                return
            if echo:
                answered = method == "sendMessage"
            elif toggle:  # a ticked option redraws the question with its ticks
                answered = method in ("editMessageText", "editMessageReplyMarkup")
            else:  # the next question: a new message, or the pressed one moving on to it
                text = re.sub(r"<[^>]+>", "", str(params.get("text", "")))  # HTML to text
                asks = any(p in text for p in PROMPTS)
                # An edit ending in "✅ <answer>" only records the answer; a question follows.
                record = text.rstrip().rsplit("\n", 1)[-1].startswith("✅")
                answered = asks and (method == "sendMessage" or (
                    method == "editMessageText" and not record))
            if answered:
                done.set_result(time.perf_counter())

        fake.listeners[user_id] = listen
        update_id = user.text(payload) if kind == "text" else \
            user.press(payload, 1, check=False)
        answered_at = await asyncio.wait_for(done, 120)
        latencies.append(answered_at - fake.handed_out[update_id])
    fake.listeners.pop(user_id, None)


async def drive(fake: LoadFake, owners: int, echo: bool, first_id: int) -> dict[str, float]:
    """Run `owners` owners at once; return throughput and latency figures."""
    latencies: list[float] = []
    fake.calls.clear()
    started = time.perf_counter()
    await asyncio.gather(*(owner(fake, first_id + n, echo, latencies) for n in range(owners)))
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    return {"updates": len(latencies), "seconds": elapsed,
            "updates_per_s": len(latencies) / elapsed,
            "p50_ms": cuts[49] * 1000, "p99_ms": cuts[98] * 1000,
            "calls": dict(fake.calls),
            "calls_per_update": sum(fake.calls.values()) / len(latencies)}


def serve(conn: Connection) -> None:
    """The child process: start the fake, then run the loads the parent asks for."""
    asyncio.run(_serve(conn))


async def _serve(conn: Connection) -> None:
    fake = LoadFake()
    await fake.start()
    conn.send(fake.url)
    loop = asyncio.get_running_loop()
    first_id = 1_000_000
    while True:
        order = await loop.run_in_executor(None, conn.recv)
        if order[0] == "stop":
            break
        _, owners, echo = order
        await fake.wait_polling(timeout=30)
        conn.send(await drive(fake, owners, echo, first_id))
        first_id += owners
    await fake.stop()
