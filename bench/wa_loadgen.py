"""The load side of the WhatsApp benchmarks, in a process of its own: the fake Graph API and the
simulated owners, who post signed webhooks to the bot's web server.

`conversation`: each owner posts one message, waits until the bot has marked it read (the bot
does that after its answer went out), and posts the next: the whole questionnaire. Latency is
from posting the webhook to the read mark. `steady`: messages at a fixed rate, whatever the
bot's answers, timing only each webhook's request to its 200.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections import Counter
from multiprocessing.connection import Connection
from typing import Any
from urllib.parse import urlsplit

from tests.support.fakegraph import FakeGraph, FakeUser, Sent
from tests.support.script import CONSENT_DATA, ELIGIBLE, SUBMIT_DATA

# The scripted eligible owner of the tests, as webhooks: ("text" | "press", payload); derived
# from the one persona so it follows the questionnaire. The phone question is answered from the
# number WhatsApp gives, so it is not in the script.
SCRIPT = [("text", "halo"), ("press", CONSENT_DATA),
          *(("press" if kind == "toggle" else kind, payload)
            for kind, payload in ELIGIBLE.updates() if payload != ELIGIBLE.answers["phone"]),
          ("press", SUBMIT_DATA)]


class Poster:
    """Posts webhooks over kept-alive HTTP/1.1 connections with plain asyncio streams: the load
    side's own cost per message stays small beside the bot's (httpx costs several times more)."""

    def __init__(self, url: str, size: int = 200) -> None:
        parts = urlsplit(url)
        self.host, self.port, self.path = parts.hostname or "127.0.0.1", parts.port, parts.path
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.slots = asyncio.Semaphore(size)

    async def post(self, body: bytes, signature: str) -> int:
        """POST one webhook; its status code."""
        async with self.slots:
            reader, writer = self.idle.pop() if self.idle else await asyncio.open_connection(
                self.host, self.port)
            writer.write((f"POST {self.path} HTTP/1.1\r\nHost: {self.host}\r\n"
                          f"Content-Type: application/json\r\nX-Hub-Signature-256: {signature}"
                          f"\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body)
            status = int((await reader.readline()).split()[1])
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _sep, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if length:
                await reader.readexactly(length)
            self.idle.append((reader, writer))
            return status

    async def close(self) -> None:
        """Close the kept connections."""
        for _reader, writer in self.idle:
            writer.close()
        self.idle.clear()


class LoadGraph(FakeGraph):
    """The fake without recording, calling back on reads and keeping each owner's last
    message with choices (to press its buttons)."""

    def __init__(self) -> None:
        super().__init__(record=False)
        self.waiting: dict[str, asyncio.Future[float]] = {}
        self.menus: dict[str, Sent] = {}  # recipient -> newest message with choices
        self.calls: Counter[str] = Counter()
        self.listeners.append(self._heard)
        self.poster: Poster | None = None

    async def send(self, update: dict[str, Any]) -> int:
        """Post a signed webhook the cheap way."""
        assert self.poster is not None
        body = json.dumps(update).encode()
        return await self.poster.post(body, self.sign(body))

    def _heard(self, event: str, item: Any) -> None:
        self.calls[event] += 1
        if event == "read":
            future = self.waiting.pop(item, None)
            if future is not None and not future.done():
                future.set_result(time.perf_counter())
        elif item.choices:
            self.menus[item.to] = item


def update_for(graph: LoadGraph, user: FakeUser, kind: str, payload: str) -> dict[str, Any]:
    """The webhook of one scripted step (a press names the message it belongs to)."""
    if kind == "text":
        return user.message("text", {"body": payload})
    menu = graph.menus.get(user.user_id)
    choice = menu.choice(payload) if menu is not None else None
    context = {"from": "6281120003000", "id": menu.id if menu else "wamid.none"}
    data = choice.id if choice is not None else payload
    title = choice.title if choice is not None else payload[:20]
    if menu is not None and menu.kind == "list":
        reply = {"type": "list_reply", "list_reply": {"id": data, "title": title,
                                                      "description": ""}}
    else:
        reply = {"type": "button_reply", "button_reply": {"id": data, "title": title}}
    return user.message("interactive", reply, context=context)


async def owner(graph: LoadGraph, user: FakeUser, latencies: list[float]) -> None:
    """One owner going through the script, one message at a time."""
    loop = asyncio.get_running_loop()
    for kind, payload in SCRIPT:
        update = update_for(graph, user, kind, payload)
        done: asyncio.Future[float] = loop.create_future()
        graph.waiting[FakeUser.id_of(update)] = done
        started = time.perf_counter()
        status = await graph.send(update)
        if status != 200:
            raise RuntimeError(f"webhook answered {status}")
        latencies.append(await asyncio.wait_for(done, 120) - started)


async def conversation(graph: LoadGraph, owners: int, first: int) -> dict[str, Any]:
    """`owners` owners at once; throughput and latency."""
    latencies: list[float] = []
    graph.calls.clear()
    users = [graph.user(f"628{first + n:010d}") for n in range(owners)]
    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(owner(graph, u, latencies) for u in users))
    elapsed = time.perf_counter() - started
    load_cpu = time.process_time() - cpu
    cuts = statistics.quantiles(latencies, n=100)
    return {"updates": len(latencies), "seconds": elapsed,
            "updates_per_s": len(latencies) / elapsed, "p50_ms": cuts[49] * 1000,
            "p99_ms": cuts[98] * 1000, "refused": len(graph.refused),
            "load_cpu_share": load_cpu / elapsed, "retried": graph.retried,
            "calls_per_update": sum(graph.calls.values()) / len(latencies)}


async def steady(graph: LoadGraph, rate: float, seconds: float, active: int,
                 first: int) -> dict[str, Any]:
    """Messages at `rate` per second for `seconds`, from `active` owners at a time (each
    posting every active/rate seconds, its next scripted step); request-to-200 times."""
    total = int(rate * seconds)
    users: list[FakeUser] = []
    steps: dict[str, int] = {}
    timings: list[float] = []
    tasks = []
    next_user = first

    async def post(user: FakeUser) -> None:
        kind, payload = SCRIPT[steps[user.user_id]]
        steps[user.user_id] += 1
        update = update_for(graph, user, kind, payload)
        started = time.perf_counter()
        status = await graph.send(update)
        timings.append(time.perf_counter() - started)
        if status != 200:
            raise RuntimeError(f"webhook answered {status}")

    begin = time.perf_counter()
    for number in range(total):
        due = begin + number / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        users = [u for u in users if steps[u.user_id] < len(SCRIPT)]
        while len(users) < active:  # a new owner starts in place of one who finished
            user = graph.user(f"629{next_user:010d}")
            next_user += 1
            steps[user.user_id] = 0
            users.append(user)
        tasks.append(asyncio.create_task(post(users[number % len(users)])))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - begin
    cuts = statistics.quantiles(timings, n=100)
    return {"messages": len(timings), "rate": len(timings) / elapsed,
            "owners": next_user - first, "p50_ms": cuts[49] * 1000, "p99_ms": cuts[98] * 1000,
            "max_ms": max(timings) * 1000}


def serve(conn: Connection) -> None:
    """The child process: start the fake, then run the loads the parent asks for."""
    asyncio.run(_serve(conn))


async def _serve(conn: Connection) -> None:
    graph = LoadGraph()
    await graph.start()
    conn.send(graph.url)
    loop = asyncio.get_running_loop()
    first = 1_000_000
    while True:
        order = await loop.run_in_executor(None, conn.recv)
        if order[0] == "stop":
            break
        graph.webhook_url = order[1]
        graph.poster = Poster(order[1])
        if order[0] == "conversation":
            result = await conversation(graph, order[2], first)
            first += order[2]
        else:
            result = await steady(graph, order[2], order[3], order[4], first)
            first += result["owners"]
        await graph.poster.close()
        conn.send(result)
    await graph.stop()
