"""Running the real bot on WhatsApp: core, web server and pywa against the fake Graph API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.cli import FEATURES
from bot.config import Config, load_config
from bot.core import Core
from bot.i18n import Catalogs
from bot.storage import Database
from handlers.web import WebServer
from handlers.whatsapp import WhatsAppChannel
from tests.support.config import write_config
from tests.support.fakegraph import APP_SECRET, TOKEN, VERIFY_TOKEN, FakeGraph


def whatsapp_env(graph: FakeGraph) -> dict[str, str]:
    """The environment a deployer sets for WhatsApp, pointed at the fake."""
    return {"WHATSAPP_TOKEN": TOKEN, "WHATSAPP_APP_SECRET": APP_SECRET,
            "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
            "WHATSAPP_PHONE_NUMBER_ID": graph.phone_number_id,
            "WHATSAPP_API_BASE_URL": graph.url, "PORT": "0"}


def whatsapp_config(tmp_path: Path, graph: FakeGraph, extra: str = "",
                    env: dict[str, str] | None = None) -> Config:
    """A config with WhatsApp on, pointing at the fake through the environment."""
    return load_config(write_config(tmp_path, extra), env={**whatsapp_env(graph), **(env or {})})


@dataclass
class Running:
    """The parts of a running WhatsApp bot a test looks at."""

    core: Core
    web: WebServer
    channel: WhatsAppChannel
    others: list[Any]


@asynccontextmanager
async def running_whatsapp(graph: FakeGraph, config: Config,
                           clock: Callable[[], datetime] | None = None,
                           also: Callable[[Config, Core, WebServer], Any] | None = None,
                           ) -> AsyncIterator[Running]:
    """Start the bot as `umkm-bot run` does (web server, channels, core); stop it on exit.

    `also` builds a further channel on the same core and web server (e.g. Telegram)."""
    db = await Database.open(config.database)
    core = Core(config, db, Catalogs(config.time_zone), FEATURES, clock=clock)
    web = WebServer(config.web)
    channel = WhatsAppChannel(config, core, web)
    others = [also(config, core, web)] if also else []
    await web.start()
    graph.webhook_url = f"{web.url}{config.whatsapp.webhook_path}"
    for other in others:
        await other.start()
    await channel.start()
    await core.start([channel, *others])
    web.ready = True
    try:
        yield Running(core, web, channel, others)
    finally:
        await web.stop()
        await core.stop()
        await channel.stop()
        for other in others:
            await other.stop()
        await db.close()


@asynccontextmanager
async def whatsapp_bot(tmp_path: Path, extra: str = "",
                       clock: Callable[[], datetime] | None = None,
                       ) -> AsyncIterator[tuple[FakeGraph, Running]]:
    """The fake Graph API and the bot on WhatsApp against it."""
    async with FakeGraph() as graph, running_whatsapp(
            graph, whatsapp_config(tmp_path, graph, extra), clock=clock) as bot:
        yield graph, bot
