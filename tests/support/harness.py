"""Running the real bot (python-telegram-bot Application + core) against the fake Bot API.

`Chat` is the Telegram chat driver, with the shape of the core's (`tests.support.owner.Owner`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

from bot.cli import FEATURES
from bot.config import Config, load_config
from bot.core import Core
from handlers.telegram import TelegramChannel
from tests.support.config import catalogs, fresh_database, write_config
from tests.support.fakebotapi import FakeBotAPI, Request
from tests.support.owner import button

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
    db = await fresh_database(config.database)
    core = Core(config, db, catalogs(config.time_zone), FEATURES, clock=clock)
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


class Chat:
    """One owner's chat with the running bot, remembering what the bot last sent."""

    def __init__(self, fake: FakeBotAPI, user_id: int, language_code: str | None) -> None:
        self.user = fake.user(user_id, language_code=language_code)
        self.history: list[Request] = []
        self.last: list[Request] = []

    async def do(self, action: str, value: str = "") -> list[Request]:
        """say / cmd / tap (a label part) / contact / raw (a FakeUser method name)."""
        if action == "say":
            self.last = await self.user.say(value)
        elif action == "cmd":
            self.last = await self.user.cmd(value)
        elif action == "tap":
            self.last = await self.user.tap(button(self.history, value))
        elif action == "contact":
            self.last = await self.user.fake.process(self.user.contact(value))
        else:
            self.last = await self.user.fake.process(getattr(self.user, action)())
        self.history += self.last
        return self.last

    async def run(self, steps: Iterable[tuple[str, str]]) -> None:
        """Several steps in a row."""
        for action, value in steps:
            await self.do(action, value)

    def text(self) -> str:
        """Text of the bot's last answer."""
        return all_text(self.last)
