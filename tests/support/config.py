"""A test configuration: one staff member, the database in the test's own folder; catalogs."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.i18n import Catalogs

STAFF_ID = 999_000_001
WIB = ZoneInfo("Asia/Jakarta")  # the configured time zone unless a test says otherwise


def write_config(tmp_path: Path, extra: str = "") -> Path:
    """A config.toml for tests, with one staff member and the database in tmp_path."""
    path = tmp_path / "config.toml"
    path.write_text(
        f'[bot]\nstaff = [{STAFF_ID}]\n[database]\npath = "bot.sqlite3"\n{extra}',
        encoding="utf-8",
    )
    return path


@cache
def catalogs(time_zone: ZoneInfo = WIB) -> Catalogs:
    """The catalogs, compiled once for the whole run (each core would otherwise compile them)."""
    return Catalogs(time_zone)
