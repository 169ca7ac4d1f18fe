"""The `umkm-bot run` process against the fake Bot API: starts polling, stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import pytest

from tests.support.config import write_config
from tests.support.fakebotapi import FakeBotAPI
from tests.support.harness import TOKEN

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings(
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"
)]


async def test_run_with_a_token_polls_answers_and_stops_cleanly_on_sigterm(tmp_path):
    async with FakeBotAPI() as fake:
        config = write_config(tmp_path)
        env = {**os.environ, "BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake.url,
               "PORT": "0"}  # the web server on any free port
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "--config", str(config), "run", env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        try:
            await fake.wait_for(lambda r: r.method == "getUpdates", timeout=20)
            user = fake.user(3001, language_code="id")
            user.command("/start")
            welcome = await fake.wait_for(
                lambda r: r.method == "sendMessage" and r.chat_id == 3001, timeout=10)
            assert "Selamat datang" in welcome.text
            process.send_signal(signal.SIGTERM)
            out, err = await asyncio.wait_for(process.communicate(), 20)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    assert process.returncode == 0, err.decode()
    assert TOKEN not in (out + err).decode()
    assert "Traceback" not in err.decode()
