"""Shared fixtures: a temporary configuration and database, a clock the test controls."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.channel import Inbound, InboundKind, Notice, Reply, plain_text
from bot.cli import FEATURES
from bot.config import Config, load_config
from bot.core import Core
from bot.i18n import Catalogs
from bot.storage import Database

STAFF_ID = 999_000_001


def write_config(tmp_path: Path, extra: str = "") -> Path:
    """A config.toml for tests, with one staff member and the database in tmp_path."""
    path = tmp_path / "config.toml"
    path.write_text(
        f'[bot]\nstaff = [{STAFF_ID}]\n[database]\npath = "bot.sqlite3"\n{extra}',
        encoding="utf-8",
    )
    return path


@pytest.fixture
def config(tmp_path: Path) -> Config:
    """A configuration whose database lives in tmp_path."""
    return load_config(write_config(tmp_path), env={})


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: datetime = field(default_factory=lambda: datetime(2027, 9, 1, 2, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move time forward."""
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    """A fixed clock: 1 September 2027, 09:00 WIB."""
    return Clock()


@pytest.fixture
async def core(config: Config, clock: Clock):
    """A core on a fresh database."""
    db = await Database.open(config.database)
    yield Core(config, db, Catalogs(config.time_zone), FEATURES, clock=clock)
    await db.close()


class Owner:
    """Talks to the core the way a channel would, as one user."""

    def __init__(self, core: Core, user_id: str = "1001", language_code: str | None = "id",
                 channel: str = "telegram", address: str = "") -> None:
        self.core = core
        self.user_id = user_id
        self.language_code = language_code
        self.channel = channel
        self.address = address  # the number a channel such as WhatsApp knows
        self.last = []

    async def send(self, kind: InboundKind, **fields) -> list:
        """Send one inbound; return the replies."""
        inbound = Inbound(channel=self.channel, user_id=self.user_id, chat_id=self.user_id,
                          kind=kind, language_code=self.language_code, address=self.address,
                          **fields)
        self.last = await self.core.handle(inbound)
        return self.last

    async def say(self, text: str) -> list:
        """Type a message or a command."""
        kind = InboundKind.COMMAND if text.startswith("/") else InboundKind.TEXT
        return await self.send(kind, text=text)

    async def press(self, data: str) -> list:
        """Press a button."""
        return await self.send(InboundKind.BUTTON, data=data, message_id="1")

    async def tap(self, label_part: str) -> list:
        """Press the button of the last replies whose label contains `label_part`."""
        return await self.press(button(self.last, label_part))

    def text(self) -> str:
        """All reply texts of the last turn, as plain text."""
        return texts(self.last)


def texts(replies) -> str:
    """Plain text of every new message and edit in `replies`."""
    out = []
    for r in replies:
        if isinstance(r, Reply):
            out.append(plain_text(r.text))
        elif isinstance(r, Notice) and r.text:
            out.append(r.text)
    return "\n".join(out)


def button(replies, label_part: str) -> str:
    """The data of the first button whose label contains `label_part`."""
    for r in replies:
        for row in getattr(r, "buttons", ()):
            for b in row:
                if label_part.lower() in b.label.lower():
                    return b.data
    labels = [b.label for r in replies for row in getattr(r, "buttons", ()) for b in row]
    raise AssertionError(f"no button with {label_part!r} in {labels}")
