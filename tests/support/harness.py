"""Running the real bot (python-telegram-bot Application + core) against the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

from bot.cli import FEATURES
from bot.config import Config, load_config
from bot.core import Core
from bot.i18n import Catalogs
from bot.storage import Database
from handlers.telegram import TelegramChannel
from tests.conftest import write_config
from tests.support.fakebotapi import FakeBotAPI, Request

TOKEN = "123456:TEST-token_abc"


def telegram_config(tmp_path: Path, fake: FakeBotAPI, extra: str = "") -> Config:
    """A config pointing at the fake through the environment, as a deployer would."""
    return load_config(write_config(tmp_path, extra),
                       env={"BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake.url})


@asynccontextmanager
async def running_bot(
    fake: FakeBotAPI, config: Config,
    clock: Callable[[], datetime] | None = None,
    channel_class: type[TelegramChannel] = TelegramChannel,
) -> AsyncIterator[TelegramChannel]:
    """Open the database, start polling the fake; stop and close on exit."""
    db = await Database.open(config.database)
    core = Core(config, db, Catalogs(config.time_zone), FEATURES, clock=clock)
    channel = channel_class(config, core, poll_timeout=1, poll_interval=0)
    fake.track(channel.application)
    await channel.start()
    await core.start([channel])
    try:
        yield channel
    finally:
        await core.stop()
        await channel.stop()
        await db.close()


def sent(requests: list[Request]) -> list[Request]:
    """The messages sent and edited, in order."""
    return [r for r in requests if r.method in ("sendMessage", "editMessageText",
                                                 "sendDocument", "sendPhoto")]


def all_text(requests: list[Request]) -> str:
    """Every text the bot sent or edited in, joined."""
    return "\n".join(r.text or "" for r in sent(requests))


def data_of(requests: list[Request], label_part: str) -> str:
    """The callback data of the newest button whose label contains `label_part`."""
    for request in reversed(requests):
        for row in request.buttons:
            for label, data in row:
                if label_part.lower() in label.lower() and data:
                    return data
    labels = [label for r in requests for row in r.buttons for label, _ in row]
    raise AssertionError(f"no button with {label_part!r} among {labels}")
