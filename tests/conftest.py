"""Shared fixtures: a temporary configuration and database, a clock the test controls, the
fake Bot API.

Every helper that is not a fixture lives in `tests.support`; tests import from there.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import FEATURES
from bot.config import Config, load_config
from bot.core import Core
from tests.support.clock import Clock
from tests.support.config import catalogs, fresh_database, write_config
from tests.support.fakebotapi import FakeBotAPI


@pytest.fixture
def config(tmp_path: Path) -> Config:
    """A configuration whose database lives in tmp_path."""
    return load_config(write_config(tmp_path), env={})


@pytest.fixture
def clock() -> Clock:
    """A fixed clock: 1 September 2027, 09:00 WIB."""
    return Clock()


@pytest.fixture
async def core(config: Config, clock: Clock):
    """A core on a fresh database."""
    db = await fresh_database(config.database)
    yield Core(config, db, catalogs(config.time_zone), FEATURES, clock=clock)
    await db.close()


@pytest.fixture
async def fake():
    """The fake Bot API server on 127.0.0.1."""
    async with FakeBotAPI() as server:
        yield server
