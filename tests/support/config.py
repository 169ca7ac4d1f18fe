"""A test configuration: one staff member, the database in the test's own folder; catalogs and
an empty database, each made once for the whole run."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.i18n import Catalogs
from bot.storage import Database

STAFF_ID = 999_000_001
WIB = ZoneInfo("Asia/Jakarta")  # the configured time zone unless a test says otherwise


def write_config(tmp_path: Path, extra: str = "") -> Path:
    """A config.toml for tests, with one staff member and the database in tmp_path; automatic
    backups are off unless `extra` has a [backup] table."""
    path = tmp_path / "config.toml"
    backup = "" if "[backup]" in extra else '[backup]\ndirectory = ""\n'
    path.write_text(
        f'[bot]\nstaff = [{STAFF_ID}]\n[database]\npath = "bot.sqlite3"\n{backup}{extra}',
        encoding="utf-8",
    )
    return path


@cache
def catalogs(time_zone: ZoneInfo = WIB) -> Catalogs:
    """The catalogs, compiled once for the whole run (each core would otherwise compile them)."""
    return Catalogs(time_zone)


_empty: list[Path] = []  # the migrated empty database, made by the first test that needs one


async def fresh_database(path: Path) -> Database:
    """Open the database at `path`; a new one starts as a copy of one migrated once per run.

    Migrating from scratch takes tens of milliseconds, for each of hundreds of tests; the
    migrations themselves are tested on their own, and every process test migrates anew.
    """
    if not _empty:
        folder = Path(tempfile.mkdtemp(prefix="umkm-empty-db-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        await (await Database.open(folder / "empty.sqlite3")).close()
        _empty.append(folder / "empty.sqlite3")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_empty[0], path)
    return await Database.open(path)
