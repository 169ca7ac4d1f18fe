"""A broadcast survives the bot process being killed (SIGKILL) in the middle of sending.

The real `umkm-bot run` process talks to the fake Bot API; it is killed while the announcement
is going out and started again on the same database. Afterwards every owner has it, and the only
owners who have it twice are among the rows the sender reports as in flight at the kill.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from bot.storage import Database
from bot.storage.broadcasts import KIND
from tests.support.config import STAFF_ID, write_config
from tests.support.fakebotapi import FakeBotAPI
from tests.support.harness import TOKEN
from tests.support.population import add_owners

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings(
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"
)]
OWNERS = 600
FIRST = 30_000


async def start_bot(config: Path, fake: FakeBotAPI, log: Path) -> asyncio.subprocess.Process:
    """`umkm-bot run` against the fake, as a deployer would start it."""
    env = {**os.environ, "BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake.url,
           "PORT": "0"}  # the web server on any free port
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


async def test_a_broadcast_killed_midway_finishes_with_no_duplicates_beyond_in_flight(tmp_path):
    config = write_config(tmp_path, "[broadcast]\nrate = 400\nprogress_every_s = 0.5\n")
    db = await Database.open(tmp_path / "bot.sqlite3")
    await add_owners(db, OWNERS, first_id=FIRST, eligible=True)
    await db.close()
    chats = range(FIRST, FIRST + OWNERS)
    log = tmp_path / "bot.log"
    async with FakeBotAPI(rate_limit=500) as fake:
        process = await start_bot(config, fake, log)
        try:
            staff = fake.user(STAFF_ID, language_code="en")
            staff.command("/umumkan")
            await fake.wait_for(to_staff("New announcement"), timeout=10)
            staff.text("The 2027 export training is open.")
            await fake.wait_for(to_staff("Who should receive it?"), timeout=10)
            staff.press("audience:all")
            await fake.wait_for(to_staff("It will go to 600 owners."), timeout=10)
            staff.press("send:now")
            await fake.wait_for(lambda r: r.chat_id == FIRST + OWNERS // 3, timeout=20)
            process.kill()  # SIGKILL: no chance to finish the batch or record anything
            await process.wait()
            at_kill = sum(fake.delivered[c] for c in chats)
            assert at_kill < OWNERS, "the broadcast should still be going when killed"

            process = await start_bot(config, fake, log)
            report = await fake.wait_for(lambda r: r.method == "sendMessage"
                                         and r.chat_id == STAFF_ID
                                         and "finished" in (r.text or ""), timeout=30)
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
        in_flight = {int(r[0]) for r in await db.all(
            "SELECT chat_id FROM outbox WHERE kind = ? AND ref = '1' AND resent = 1", (KIND,))}
    finally:
        await db.close()
    delivered = {chat: fake.delivered[chat] for chat in chats}
    assert [c for c, n in delivered.items() if n == 0] == []  # nobody missed
    twice = {c for c, n in delivered.items() if n > 1}
    assert twice <= in_flight  # duplicates only among the rows reported in flight
    assert len(in_flight) <= 200  # about one batch (a quarter second at 400/s), never a backlog
    assert max(delivered.values()) <= 2
    assert counts == {"sent": OWNERS, "resent": len(in_flight)}
    if in_flight:
        assert f"perhaps received twice: {len(in_flight)}" in report.text
    text = log.read_text()
    at = text.find("Traceback")
    assert at < 0, text[max(0, at - 1500):at + 400]
