"""WhatsApp: throughput of the conversation against a minimal pywa echo bot, side by side, and
the webhook's time to 200 at a steady rate.

The fake Graph API and the simulated owners run in a process of their own (bench/wa_loadgen.py)
and post signed webhooks to the bot's real web server (Starlette on uvicorn), over plain
kept-alive connections (with httpx the load side cost more than the bots it measured). The bot
is what `umkm-bot run` builds for WhatsApp: core, SQLite, inbox, pywa. The echo bot is pywa on
the same web server class and the same httpx transport: it checks each webhook's signature,
answers 200, then (as many at a time as the bot's inbox) replies with the text or the pressed
button's data and marks the message read, as the bot does; it stores nothing. They alternate
`BENCH_ROUNDS` times (3); medians are printed.

- `wa_conversation_updates_per_s`: 500 owners (`BENCH_OWNERS`) answer the questionnaire at once,
  each waiting for the read mark of one message before sending the next.
- `wa_conversation_echo_ratio`: that, divided by the echo bot's rate on the same messages.
- `wa_webhook_p99_ms`: request to 200 at a steady 60 messages/s. 2,000 owners starting within
  ten minutes is about 60 messages/s (18 messages each); time is compressed to
  `BENCH_WA_STEADY_S` (60) seconds at that rate: 200 owners, 50 of them writing at any moment.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import resource
import statistics
import tempfile
from pathlib import Path
from typing import Any

from bench import wa_loadgen
from bot.cli import FEATURES
from bot.config import WebConfig, WhatsAppConfig, load_config
from bot.core import Core
from bot.i18n import Catalogs
from bot.storage import Database
from handlers.web import WebServer, read_body
from handlers.whatsapp import CONCURRENCY, WhatsAppChannel, client, session_of
from tests.support.fakegraph import APP_SECRET, PHONE_NUMBER_ID, TOKEN, VERIFY_TOKEN

OWNERS = int(os.environ.get("BENCH_OWNERS", "500"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
STEADY_RATE = 60.0
STEADY_S = float(os.environ.get("BENCH_WA_STEADY_S", "60"))
STEADY_ACTIVE = 50
ORDER_TIMEOUT = 900


async def ask(conn: Any, *order: Any) -> Any:
    """Send an order to the load process and wait (bounded) for its answer."""
    loop = asyncio.get_running_loop()
    conn.send(order)
    if not await loop.run_in_executor(None, conn.poll, ORDER_TIMEOUT):
        raise TimeoutError(f"the load process did not answer {order[0]!r} in time")
    return conn.recv()


def cpu() -> float:
    """CPU seconds of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def the_bot(conn: Any, url: str, workdir: Path, *order: Any) -> dict[str, Any]:
    """The real bot on WhatsApp runs one load."""
    path = workdir / "config.toml"
    path.write_text('[database]\npath = "bench.sqlite3"\n[web]\nport = 0\n', encoding="utf-8")
    config = load_config(path, env={
        "WHATSAPP_TOKEN": TOKEN, "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN, "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "WHATSAPP_API_BASE_URL": url})
    db = await Database.open(config.database)
    core = Core(config, db, Catalogs(config.time_zone), FEATURES)
    web = WebServer(config.web)
    channel = WhatsAppChannel(config, core, web)
    await web.start()
    await channel.start()
    await core.start([channel])
    web.ready = True
    before = cpu()
    try:
        figures = await ask(conn, order[0], f"{web.url}/whatsapp", *order[1:])
        await channel.dispatcher.wait_idle(60)
        figures["cpu_s"] = cpu() - before
        finished = await db.one("SELECT count(*) FROM owners WHERE finished_at IS NOT NULL")
        figures["finished"] = finished[0] if finished else 0
    finally:
        await web.stop()
        await core.stop()
        await channel.stop()
        await db.close()
    return figures


async def echo_bot(conn: Any, url: str, owners: int) -> dict[str, Any]:
    """A minimal pywa echo bot on the same web server and transport."""
    wa = client(WhatsAppConfig(phone_number_id=PHONE_NUMBER_ID, api_url=url, token=TOKEN,
                               app_secret=APP_SECRET, verify_token=VERIFY_TOKEN))
    tasks: set[asyncio.Task[Any]] = set()
    slots = asyncio.Semaphore(CONCURRENCY)  # as many at once as the bot's inbox handles

    async def handle(body: bytes) -> None:
        async with slots:
            await wa.webhook_update_handler(body)

    async def on_message(_wa: Any, msg: Any) -> None:
        await wa.send_message(msg.from_user.bsuid, msg.text or "?")
        await wa.mark_message_as_read(msg.id)

    async def on_press(_wa: Any, press: Any) -> None:
        await wa.send_message(press.from_user.bsuid, str(press.data))
        await wa.mark_message_as_read(press.id)

    from pywa_async.handlers import (
        CallbackButtonHandler,
        CallbackSelectionHandler,
        MessageHandler,
    )
    from starlette.requests import Request
    from starlette.responses import Response

    wa.add_handlers(MessageHandler(on_message), CallbackButtonHandler(on_press),
                    CallbackSelectionHandler(on_press))

    async def on_webhook(request: Request) -> Response:
        body = await read_body(request)
        refused = await wa.webhook_update_validator(
            body or b"", request.headers.get("X-Hub-Signature-256"))
        if body is None or refused is not None:
            return Response(status_code=403)
        task = asyncio.create_task(handle(body))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        return Response(status_code=200)

    web = WebServer(WebConfig(port=0))
    web.route("/whatsapp", on_webhook)
    await web.start()
    before = cpu()
    try:
        figures = await ask(conn, "conversation", f"{web.url}/whatsapp", owners)
        figures["cpu_s"] = cpu() - before
    finally:
        await web.stop()
        await session_of(wa).aclose()
    return figures


async def run() -> list[tuple[str, float | int]]:
    """Both bots against one fake, alternating ROUNDS times; then the steady rate; medians."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    load = context.Process(target=wa_loadgen.serve, args=(child,), daemon=True)
    load.start()
    child.close()
    talks, plains, steadies = [], [], []
    try:
        if not await asyncio.get_running_loop().run_in_executor(None, parent.poll, 60):
            raise TimeoutError("the load process did not start")
        url = parent.recv()
        for _round in range(ROUNDS):
            with tempfile.TemporaryDirectory() as workdir:
                talks.append(await the_bot(parent, url, Path(workdir), "conversation", OWNERS))
            plains.append(await echo_bot(parent, url, OWNERS))
            with tempfile.TemporaryDirectory() as workdir:
                steadies.append(await the_bot(parent, url, Path(workdir), "steady",
                                              STEADY_RATE, STEADY_S, STEADY_ACTIVE))
        parent.send(("stop",))
    finally:
        load.join(30)
        if load.is_alive():
            load.kill()
    for talk in talks:
        assert talk["finished"] == OWNERS, f"only {talk['finished']} of {OWNERS} finished"
        assert talk["refused"] == 0, f"{talk['refused']} messages refused by the fake"

    def median(figures: list[dict[str, Any]], key: str) -> float:
        return statistics.median(f[key] for f in figures)

    return [
        ("wa_conversation_updates_per_s", median(talks, "updates_per_s")),
        ("wa_conversation_p50_ms", median(talks, "p50_ms")),
        ("wa_conversation_p99_ms", median(talks, "p99_ms")),
        ("wa_echo_updates_per_s", median(plains, "updates_per_s")),
        ("wa_echo_p50_ms", median(plains, "p50_ms")),
        ("wa_conversation_echo_ratio", statistics.median(
            t["updates_per_s"] / e["updates_per_s"] for t, e in zip(talks, plains, strict=True))),
        ("wa_conversation_cpu_ms_per_update", statistics.median(
            t["cpu_s"] / t["updates"] * 1000 for t in talks)),
        ("wa_echo_cpu_ms_per_update", statistics.median(
            e["cpu_s"] / e["updates"] * 1000 for e in plains)),
        ("wa_graph_calls_per_update", median(talks, "calls_per_update")),
        # How busy the load process was (1.0: a whole core): above about 0.9 it, not the bot,
        # sets the pace.
        ("wa_load_cpu_share_conversation", median(talks, "load_cpu_share")),
        ("wa_load_cpu_share_echo", median(plains, "load_cpu_share")),
        ("wa_webhook_p50_ms", median(steadies, "p50_ms")),
        ("wa_webhook_p99_ms", median(steadies, "p99_ms")),
        ("wa_webhook_steady_rate", median(steadies, "rate")),
    ]
