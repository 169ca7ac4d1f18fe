"""Webhook mode for real: the bot's web server (Starlette on uvicorn, 127.0.0.1) takes updates
posted to it into python-telegram-bot's update queue, and refuses every request without the right
X-Telegram-Bot-Api-Secret-Token."""

from __future__ import annotations

import time
from contextlib import asynccontextmanager

import httpx
import pytest

from bot.cli import FEATURES
from bot.config import ConfigError, load_config
from bot.core import Core
from bot.i18n import Catalogs
from bot.storage import Database
from handlers.telegram import TelegramChannel
from handlers.web import WebServer
from tests.support.config import write_config
from tests.support.fakebotapi import FakeBotAPI
from tests.support.harness import TOKEN

pytestmark = pytest.mark.filterwarnings(
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"
)
SECRET = "s3cret_Webhook-token"


@asynccontextmanager
async def webhook_bot(fake: FakeBotAPI, config):
    """The bot in webhook mode as `umkm-bot run` starts it: web server, channel, core."""
    db = await Database.open(config.database)
    core = Core(config, db, Catalogs(config.time_zone), FEATURES)
    web = WebServer(config.web)
    channel = TelegramChannel(config, core, web=web)
    fake.track(channel.application)
    await web.start()
    await channel.start()
    await core.start([channel])
    try:
        yield channel, web
    finally:
        await web.stop()
        await core.stop()
        await channel.stop()
        await db.close()


def start_update(update_id: int, user_id: int) -> dict:
    """The update Telegram posts when `user_id` sends /start."""
    user = {"id": user_id, "is_bot": False, "first_name": "Budi", "language_code": "en"}
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": int(time.time()), "from": user,
        "chat": {"id": user_id, "type": "private", "first_name": "Budi"},
        "text": "/start", "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}}


async def test_webhook_mode_takes_updates_only_with_the_secret(tmp_path):
    async with FakeBotAPI() as fake:
        extra = ('[telegram]\nmode = "webhook"\nwebhook_url = "https://bot.example.org/tg/hook"\n'
                 '[web]\nlisten = "127.0.0.1"\nport = 0\n')
        config = load_config(write_config(tmp_path, extra), env={
            "BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake.url, "WEBHOOK_SECRET": SECRET})
        async with webhook_bot(fake, config) as (channel, web):
            (registered,) = fake.calls("setWebhook")
            assert registered.params["url"] == "https://bot.example.org/tg/hook"
            assert registered.params["secret_token"] == SECRET
            assert not fake.calls("getUpdates")  # no polling in webhook mode
            url = f"{web.url}/tg/hook"
            async with httpx.AsyncClient(timeout=5) as client:
                refused = [
                    await client.post(url, json=start_update(1, 5001)),
                    await client.post(url, json=start_update(2, 5002), headers={
                        "X-Telegram-Bot-Api-Secret-Token": "wrong"}),
                ]
                accepted = await client.post(url, json=start_update(3, 5003), headers={
                    "X-Telegram-Bot-Api-Secret-Token": SECRET})
            assert [r.status_code for r in refused] == [403, 403]
            assert accepted.status_code == 200
            welcome = await fake.wait_for(
                lambda r: r.method == "sendMessage" and r.chat_id == 5003)
            assert "Do you agree?" in welcome.text
            await fake.process(3)
            assert not fake.calls("sendMessage", 5001) and not fake.calls("sendMessage", 5002)
            owners = channel.core.db.owners
            assert await owners.find("telegram", "5001") is None
            assert await owners.find("telegram", "5002") is None
            assert await owners.find("telegram", "5003") is not None


async def test_the_old_webhook_keys_are_refused_in_one_sentence(tmp_path):
    extra = '[telegram]\nmode = "webhook"\nwebhook_port = 8443\n'
    with pytest.raises(ConfigError, match=r"moved to \[web\] listen and port"):
        load_config(write_config(tmp_path, extra), env={})
