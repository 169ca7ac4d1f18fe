"""The channel contract, over every channel: the same scripted owner, through each channel's real
edge and its fake, reaches the same stored outcome, and nothing sent breaks the channel's limits.

Each driver says the same things and presses the same buttons (by their data) in its own way:
the terminal types the number of the button shown, Telegram presses an inline button of the
message that carries it, WhatsApp a reply button or a list row. WhatsApp knows the number, so
its owner never types it; the others type the same number.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.channel import Capabilities
from bot.cli import FEATURES
from bot.config import load_config
from bot.core import Core
from handlers.terminal import USER_ID as TERMINAL_USER
from handlers.terminal import TerminalChat
from tests.support.config import catalogs, fresh_database, write_config
from tests.support.fakebotapi import FakeBotAPI
from tests.support.fakegraph import FakeGraph
from tests.support.harness import running_bot, telegram_config
from tests.support.script import CONSENT_DATA, ELIGIBLE, SUBMIT_DATA
from tests.support.wabot import running_whatsapp, whatsapp_config

pytestmark = pytest.mark.filterwarnings(
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")
NUMBER = "6281234567890"  # WhatsApp's wa_id; the others type it as 0812 3456 7890
OWNER = ELIGIBLE.but(phone="0812 3456 7890", share_phone=False)


class Terminal:
    """The terminal chat in-process: each line goes through the edge's own `to_inbound`."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self.out = io.StringIO()
        self.chat = TerminalChat(core, io.StringIO(), self.out)
        self.capabilities = self.chat.capabilities
        self.labels: list[str] = []

    async def say(self, text: str) -> None:
        await self.core.converse(self.chat, self.chat.to_inbound(text))

    async def press(self, data: str) -> None:
        numbers = [n for n, b in enumerate(self.chat.buttons, start=1) if b.data == data]
        assert numbers, f"no button {data!r} among {[b.data for b in self.chat.buttons]}"
        self.labels += [b.label for b in self.chat.buttons]
        await self.say(str(numbers[0]))

    def key(self) -> tuple[str, str]:
        return "terminal", TERMINAL_USER

    def check_limits(self) -> None:
        assert all(len(label) <= 20 for label in self.labels), self.labels


class Telegram:
    """The real python-telegram-bot Application against the fake Bot API."""

    def __init__(self, fake: FakeBotAPI, channel: Any) -> None:
        self.fake = fake
        self.user = fake.user(7301, language_code="en")
        self.capabilities: Capabilities = channel.capabilities

    async def say(self, text: str) -> None:
        await (self.user.cmd(text) if text.startswith("/") else self.user.say(text))

    async def press(self, data: str) -> None:
        await self.user.tap(data)

    def key(self) -> tuple[str, str]:
        return "telegram", "7301"

    def check_limits(self) -> None:
        sent = [r for r in self.fake.requests
                if r.method in ("sendMessage", "editMessageText")]
        assert sent and all(r.status == 200 or "not modified" in str(r.result or "")
                            for r in sent if r.method == "sendMessage")
        labels = [label for r in sent for row in r.buttons for label, _ in row]
        assert all(len(label) <= 20 for label in labels), labels


class WhatsApp:
    """pywa behind the bot's real web server, against the fake Graph API (signed webhooks)."""

    def __init__(self, graph: FakeGraph, channel: Any) -> None:
        self.graph = graph
        self.user = graph.user(NUMBER, name="Budi Santoso")
        self.capabilities: Capabilities = channel.capabilities

    async def say(self, text: str) -> None:
        await self.user.say(text)

    async def press(self, data: str) -> None:
        await self.user.press(data)

    def key(self) -> tuple[str, str]:
        return "whatsapp", self.user.user_id

    def check_limits(self) -> None:
        assert self.graph.refused == []  # the fake refuses whatever Meta would refuse
        assert self.graph.sent


@asynccontextmanager
async def driven(channel: str, tmp_path: Path) -> AsyncIterator[tuple[Any, Core]]:
    """The bot on `channel`, with a driver for one owner."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    if channel == "terminal":
        config = load_config(write_config(tmp_path), env={})
        db = await fresh_database(config.database)
        core = Core(config, db, catalogs(config.time_zone), FEATURES)
        try:
            yield Terminal(core), core
        finally:
            await db.close()
    elif channel == "telegram":
        async with FakeBotAPI() as fake, running_bot(fake, telegram_config(tmp_path, fake)) as ch:
            yield Telegram(fake, ch), ch.core
    else:
        async with FakeGraph() as graph, running_whatsapp(
                graph, whatsapp_config(tmp_path, graph)) as bot:
            yield WhatsApp(graph, bot.channel), bot.core


async def play(driver: Any) -> None:
    """The scripted eligible owner, from /start to the submitted result."""
    await driver.say("/start")
    await driver.press(CONSENT_DATA)
    for kind, value in OWNER.updates():
        if kind == "text" and value == OWNER.answers["phone"] and driver.capabilities.knows_phone:
            continue  # WhatsApp has answered the phone question with the owner's number
        if kind == "text":
            await driver.say(value)
        else:
            await driver.press(value)
    await driver.press(SUBMIT_DATA)


async def test_the_same_owner_reaches_the_same_outcome_on_every_channel(tmp_path):
    outcomes = {}
    for channel in ("terminal", "telegram", "whatsapp"):
        async with driven(channel, tmp_path / channel) as (driver, core):
            if channel == "terminal":  # the terminal speaks the configured default language
                await driver.say("/bahasa")
                await driver.press("lang:en")
            await play(driver)
            owner = await core.db.owners.find(*driver.key())
            assert owner is not None and owner.finished_at is not None, channel
            outcomes[channel] = (await core.db.owners.answers(owner.id), owner.eligible,
                                 owner.readiness, owner.result)
            driver.check_limits()
    (answers, eligible, readiness, result), *others = outcomes.values()
    assert eligible is True and answers["phone"] == f"+{NUMBER}"
    for channel, outcome in zip(("telegram", "whatsapp"), others, strict=True):
        assert outcome == (answers, eligible, readiness, result), channel


@pytest.mark.parametrize("channel", ["terminal", "telegram", "whatsapp"])
async def test_every_channel_declares_what_it_can_do_and_keeps_to_it(channel, tmp_path):
    async with driven(channel, tmp_path) as (driver, _core):
        capabilities = driver.capabilities
        assert isinstance(capabilities, Capabilities)
        assert capabilities.markup in ("html", "whatsapp", "plain")
        # A channel without edits has nothing to replace: its replies are always new messages.
        assert capabilities.edit == (channel == "telegram")
        assert capabilities.knows_phone == (channel == "whatsapp")
        assert capabilities.contact_button == (channel == "telegram")
        await driver.say("/start")
        await driver.press(CONSENT_DATA)
        driver.check_limits()
