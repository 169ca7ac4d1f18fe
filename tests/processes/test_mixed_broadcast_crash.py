"""A broadcast to Telegram and WhatsApp owners at once survives the bot process being killed
(SIGKILL) in the middle of sending.

The real `umkm-bot run` talks to the fake Bot API and the fake Graph API (which enforces the
24-hour window: half the WhatsApp owners are outside it and get the approved template). It is
killed while the announcement goes out on both channels and started again on the same database.
Afterwards every owner has it exactly once, except possibly the rows the sender reports as in
flight at the kill, and nobody is missed.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import load_config
from bot.storage import Database, to_db
from bot.storage.broadcasts import KIND
from tests.support.config import STAFF_ID, write_config
from tests.support.fakebotapi import FakeBotAPI
from tests.support.fakegraph import FakeGraph
from tests.support.harness import TOKEN
from tests.support.population import add_owners
from tests.support.wabot import approve, whatsapp_env

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings(
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")]
OWNERS = 300  # on each channel
TG_FIRST, WA_FIRST = 40_000, 6281700000001
CONFIG = ("[broadcast]\nprogress_every_s = 0.5\n[broadcast.telegram]\nrate = 300\n"
          "[broadcast.whatsapp]\nrate = 300\n[whatsapp]\ndaily_limit = 0\n")


async def start_bot(config: Path, fake: FakeBotAPI, graph: FakeGraph,
                    log: Path) -> asyncio.subprocess.Process:
    """`umkm-bot run` against both fakes, as a deployer would start it."""
    env = {**os.environ, **whatsapp_env(graph), "BOT_TOKEN": TOKEN,
           "TELEGRAM_API_BASE_URL": fake.url}
    with log.open("ab") as err:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "--config", str(config), "run", env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=err)
    polls = len(fake.calls("getUpdates"))
    await fake.wait_for(lambda r: r.method == "getUpdates"
                        and len(fake.calls("getUpdates")) > polls, timeout=20)
    return process


def to_staff(text: str):
    """A predicate: a message to the staff member containing `text`."""
    return lambda r: r.chat_id == STAFF_ID and text in (r.text or "") and r.status == 200


async def test_a_mixed_broadcast_killed_midway_resumes_with_nobody_missed(tmp_path):
    config = write_config(tmp_path, CONFIG)
    now = datetime.now(UTC)
    db = await Database.open(tmp_path / "bot.sqlite3")
    await add_owners(db, OWNERS, first_id=TG_FIRST, eligible=True)
    await add_owners(db, OWNERS, first_id=WA_FIRST, channel="whatsapp", eligible=True)
    wa_chats = [str(WA_FIRST + n) for n in range(OWNERS)]
    inside = wa_chats[::2]  # wrote an hour ago; the others a month ago
    for chat in wa_chats:
        when = now - (timedelta(hours=1) if chat in inside else timedelta(days=30))
        await db.write("INSERT INTO inbox (channel, message_id, owner_key, received_at,"
                       " handled_at) VALUES ('whatsapp', ?, ?, ?, ?)",
                       (f"wamid.in.{chat}", chat, to_db(when), to_db(when)))
    await db.close()
    log = tmp_path / "bot.log"
    async with FakeBotAPI(rate_limit=400) as fake, FakeGraph(rate=400, daily_limit=None) as graph:
        approve(graph, load_config(config, env=whatsapp_env(graph)))
        for chat in inside:
            graph.limits.last_inbound[chat] = now - timedelta(hours=1)
        process = await start_bot(config, fake, graph, log)
        try:
            staff = fake.user(STAFF_ID, language_code="en")
            staff.command("/umumkan")
            await fake.wait_for(to_staff("New announcement"), timeout=10)
            staff.text("The 2027 export training is open.")
            await fake.wait_for(to_staff("Who should receive it?"), timeout=10)
            staff.press("audience:all")
            await fake.wait_for(to_staff("It will go to 600 owners."), timeout=10)
            staff.press("send:now")
            await graph.wait_for(lambda: len(graph.sent) >= OWNERS // 3, timeout=20)
            process.kill()  # SIGKILL: no chance to finish the batch or record anything
            await process.wait()
            assert len(graph.sent) < OWNERS, "the broadcast should still be going when killed"

            process = await start_bot(config, fake, graph, log)
            report = await fake.wait_for(lambda r: r.method == "sendMessage"
                                         and "finished" in (r.text or ""), timeout=40)
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), 20)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    assert process.returncode == 0, log.read_text()
    db = await Database.open(tmp_path / "bot.sqlite3")
    try:
        counts = await db.outbox.counts(KIND, "1")
        in_flight = {r[0] for r in await db.all(
            "SELECT chat_id FROM outbox WHERE kind = ? AND ref = '1' AND resent = 1", (KIND,))}
    finally:
        await db.close()
    telegram = {str(c): fake.delivered[c] for c in range(TG_FIRST, TG_FIRST + OWNERS)}
    whatsapp = Counter(s.to for s in graph.sent)
    delivered = {**telegram, **{chat: whatsapp[chat] for chat in wa_chats}}
    assert [c for c, n in delivered.items() if n == 0] == []  # nobody missed
    assert {c for c, n in delivered.items() if n > 1} <= in_flight  # duplicates only in flight
    assert max(delivered.values()) <= 2
    assert counts == {"sent": 2 * OWNERS, "resent": len(in_flight)}
    kinds = Counter((s.to in inside, s.kind) for s in graph.sent)
    assert set(kinds) == {(True, "text"), (False, "template")}  # never free-form outside
    assert graph.refused == [] and graph.failed == []
    if in_flight:
        assert f"perhaps received twice: {len(in_flight)}" in report.text
    text = log.read_text()
    at = text.find("Traceback")
    assert at < 0, text[max(0, at - 1500):at + 400]
