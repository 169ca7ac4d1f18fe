"""Throughput: 500 owners answer the whole questionnaire at once through the real
python-telegram-bot Application and core, against the fake Bot API on 127.0.0.1; then a minimal
python-telegram-bot echo bot gets the same updates from the same fake, in the same run. The two
alternate three times (`BENCH_ROUNDS`), and the medians are printed.

The fake and the simulated owners run in a process of their own (bench/loadgen.py). Latency is
from getUpdates handing an update out to the fake receiving the answer the owner waits for.
`BENCH_PROFILE=1` prints where the bot's time goes (cProfile, the conversation part only) and
leaves the whole profile in the temporary folder's parent as bench_conversation.prof.
"""

from __future__ import annotations

import asyncio
import cProfile
import io
import multiprocessing
import os
import pstats
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, MessageHandler
from telegram.ext import filters as tg_filters

from bench import loadgen
from bot.cli import FEATURES
from bot.config import TelegramConfig, load_config
from bot.core import Core
from bot.i18n import Catalogs
from bot.storage import Database
from handlers.telegram import TelegramChannel

OWNERS = int(os.environ.get("BENCH_OWNERS", "500"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))  # the machines are noisy: medians
TOKEN = "123456:BENCH-token"


ORDER_TIMEOUT = 900  # seconds: a load that takes longer has gone wrong


async def ask(conn: Any, *order: Any) -> Any:
    """Send an order to the load process and wait (bounded) for its answer."""
    loop = asyncio.get_running_loop()
    conn.send(order)
    if not await loop.run_in_executor(None, conn.poll, ORDER_TIMEOUT):
        raise TimeoutError(f"the load process did not answer {order[0]!r} in time")
    return conn.recv()  # raises EOFError if the load process died


async def conversation(conn: Any, url: str, workdir: Path) -> dict[str, Any]:
    """The real bot: Application, core and SQLite, as `umkm-bot run` builds them."""
    path = workdir / "config.toml"
    path.write_text('[database]\npath = "bench.sqlite3"\n', encoding="utf-8")
    config = load_config(path, env={"BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": url})
    empty = await Database.open(workdir / "empty.sqlite3")
    await empty.close()
    db = await Database.open(config.database)
    core = Core(config, db, Catalogs(config.time_zone), FEATURES)
    channel = TelegramChannel(config, core)
    await channel.start()
    await core.start([channel])
    profile = cProfile.Profile() if os.environ.get("BENCH_PROFILE") else None
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    changes = db.conn.total_changes
    try:
        if profile:
            profile.enable()
        figures = await ask(conn, "run", OWNERS, False)
        if profile:
            profile.disable()
        figures["rows_written"] = db.conn.total_changes - changes
        after = resource.getrusage(resource.RUSAGE_SELF)
        figures["cpu_s"] = after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime
        figures["peak_mb"] = after.ru_maxrss / 1024
        finished = await db.one("SELECT count(*) FROM owners WHERE finished_at IS NOT NULL")
        figures["finished"] = finished[0] if finished else 0
        figures["answer_commits_per_s"] = await answer_commits_per_s(db)
    finally:
        await core.stop()
        await channel.stop()
        await db.close()
    grown = config.database.stat().st_size - (workdir / "empty.sqlite3").stat().st_size
    figures["db_bytes_per_10k_owners"] = round(grown / OWNERS * 10_000)
    if profile:
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out)
        stats.dump_stats(workdir.parent / "bench_conversation.prof")
        stats.sort_stats("cumulative").print_stats(r"(bot|handlers)/", 30)
        print(out.getvalue(), file=sys.stderr)
    return figures


async def answer_commits_per_s(db: Database, count: int = 2000) -> float:
    """How fast SQLite (through aiosqlite) commits answers alone: one owner, one at a time."""
    owner = await db.owners.create("bench", "writer", "writer", "id", None, datetime.now(UTC))
    started = time.perf_counter()
    for number in range(count):
        await db.owners.save_step(owner.id, {"name": f"Budi {number}"}, (), None, (), None,
                                  datetime.now(UTC))
    return count / (time.perf_counter() - started)


async def on_echo_message(update: Update, _context: Any) -> None:
    """Echo a message."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(message.text or "?")


async def on_echo_button(update: Update, _context: Any) -> None:
    """Answer a button press and echo its data."""
    query = update.callback_query
    if query is not None and update.effective_chat is not None:
        await query.answer()
        await update.get_bot().send_message(update.effective_chat.id, query.data or "?")


async def echo(conn: Any, url: str) -> dict[str, Any]:
    """A minimal python-telegram-bot echo bot with the same Application and polling settings."""
    app: Application = (
        ApplicationBuilder().token(TOKEN).base_url(f"{url}/bot").base_file_url(f"{url}/file/bot")
        .concurrent_updates(32).connection_pool_size(40).pool_timeout(10)
        .get_updates_read_timeout(30).build())
    app.add_handler(CallbackQueryHandler(on_echo_button))
    app.add_handler(MessageHandler(tg_filters.ALL, on_echo_message))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(timeout=20,
                                    poll_interval=TelegramConfig.poll_interval_ms / 1000)
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    try:
        figures = await ask(conn, "run", OWNERS, True)
        after = resource.getrusage(resource.RUSAGE_SELF)
        figures["cpu_s"] = after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    return figures


async def run() -> list[tuple[str, float | int]]:
    """Both bots against one fake, alternating, ROUNDS times; medians of each figure."""
    parent, child = multiprocessing.get_context("spawn").Pipe()
    load = multiprocessing.get_context("spawn").Process(target=loadgen.serve, args=(child,),
                                                        daemon=True)
    load.start()
    child.close()  # only the load process holds it now, so its death reaches us as EOF
    talks, plains = [], []
    try:
        if not await asyncio.get_running_loop().run_in_executor(None, parent.poll, 60):
            raise TimeoutError("the load process did not start")
        url = parent.recv()
        for _round in range(ROUNDS):
            with tempfile.TemporaryDirectory() as workdir:
                talks.append(await conversation(parent, url, Path(workdir)))
            plains.append(await echo(parent, url))
        parent.send(("stop",))
    finally:
        load.join(30)
        if load.is_alive():
            load.kill()
    for talk in talks:
        assert talk["finished"] == OWNERS, f"only {talk['finished']} of {OWNERS} finished"

    def median(figures: list[dict[str, Any]], key: str) -> float:
        return statistics.median(f[key] for f in figures)

    return [
        ("conversation_updates_per_s", median(talks, "updates_per_s")),
        ("conversation_p50_ms", median(talks, "p50_ms")),
        ("conversation_p99_ms", median(talks, "p99_ms")),
        ("echo_updates_per_s", median(plains, "updates_per_s")),
        ("echo_p50_ms", median(plains, "p50_ms")),
        ("echo_p99_ms", median(plains, "p99_ms")),
        # Each round's two runs are side by side; the median of their ratios.
        ("conversation_echo_ratio", statistics.median(
            t["updates_per_s"] / e["updates_per_s"] for t, e in zip(talks, plains, strict=True))),
        ("conversation_peak_mb", max(t["peak_mb"] for t in talks)),
        ("db_bytes_per_10k_owners", median(talks, "db_bytes_per_10k_owners")),
        ("db_answer_commits_per_s", median(talks, "answer_commits_per_s")),
        ("conversation_db_rows_written_per_s", statistics.median(
            t["rows_written"] / t["seconds"] for t in talks)),
        ("conversation_cpu_ms_per_update", statistics.median(
            t["cpu_s"] / t["updates"] * 1000 for t in talks)),
        ("echo_cpu_ms_per_update", statistics.median(
            e["cpu_s"] / e["updates"] * 1000 for e in plains)),
        ("conversation_api_calls_per_update", median(talks, "calls_per_update")),
        ("echo_api_calls_per_update", median(plains, "calls_per_update")),
    ]
