"""Backups: consistent copies while the bot writes, the daily job, and the README's restore."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime

import pytest

from bot.cli import FEATURES, main
from bot.config import load_config
from bot.core import Core
from bot.features.backups import JOB, daily_backup, on_start, overdue
from bot.i18n import Catalogs
from bot.storage import Database, StorageError
from bot.storage.backup import backup, prune
from tests.support.clock import Clock
from tests.support.config import write_config
from tests.support.owner import Owner, start
from tests.support.script import ELIGIBLE


async def test_a_backup_taken_while_the_bot_writes_is_one_consistent_snapshot(tmp_path, clock):
    db = await Database.open(tmp_path / "live.sqlite3")
    owners = [await db.owners.create("telegram", str(n), str(n), "id", None, clock())
              for n in range(40)]
    stop = asyncio.Event()

    async def write() -> int:
        # Each step stores two answers in one transaction: a copy has both or neither.
        done = 0
        while not stop.is_set():
            owner = owners[done % len(owners)]
            await db.owners.save_step(owner.id, {"name": f"N{done}", "business_name": f"B{done}"},
                                      (), None, (), None, clock())
            done += 1
        return done

    writer = asyncio.create_task(write())
    copies = []
    for number in range(5):
        copies.append(await asyncio.to_thread(
            backup, db.path, tmp_path / f"copy{number}.sqlite3", clock()))
    stop.set()
    written = await writer
    await db.close()
    assert written > 0
    for copy in copies:
        conn = sqlite3.connect(copy.path)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        pairs = conn.execute(
            "SELECT a.value, b.value FROM answers a JOIN answers b USING (owner_id)"
            " WHERE a.question_id = 'name' AND b.question_id = 'business_name'").fetchall()
        assert all(name[2:] == business[2:] for name, business in pairs)
        assert conn.execute("SELECT count(*) FROM answers").fetchone()[0] == 2 * len(pairs)
        conn.close()
        assert not copy.path.with_name(copy.path.name + "-wal").exists()


def test_a_backup_never_overwrites_and_never_leaves_a_partial_file(tmp_path, clock):
    with pytest.raises(StorageError, match="does not exist"):
        backup(tmp_path / "missing.sqlite3", tmp_path / "copy.sqlite3", clock())
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "copy.sqlite3").write_text("precious")
    with pytest.raises(StorageError, match="exists already"):
        backup(tmp_path / "missing.sqlite3", tmp_path / "copy.sqlite3", clock())
    assert (tmp_path / "copy.sqlite3").read_text() == "precious"


@pytest.mark.parametrize(("last", "now", "due"), [
    (None, datetime(2027, 9, 1, 9), True),
    (datetime(2027, 9, 1, 2), datetime(2027, 9, 1, 9), False),
    (datetime(2027, 9, 1, 2), datetime(2027, 9, 2, 2, 30), False),
    (datetime(2027, 9, 1, 2), datetime(2027, 9, 2, 3, 1), True),
])
def test_a_backup_is_overdue_after_a_missed_day(last, now, due):
    assert overdue(last, now) is due


async def test_the_daily_job_writes_checks_and_keeps_the_newest(tmp_path, clock: Clock):
    config = load_config(write_config(tmp_path, '[backup]\ndirectory = "backups"\nkeep = 2\n'
                                                'hour = 3\n'), env={})
    db = await Database.open(config.database)
    core = Core(config, db, Catalogs(config.time_zone), FEATURES, clock=clock)
    owner = Owner(core)
    await owner.say("/start")
    (tmp_path / "backups").mkdir()
    (tmp_path / "backups" / "notes.txt").write_text("not a backup: left alone")
    written = []
    for _day in range(3):
        written.append(await daily_backup(core))
        clock.advance(days=1)
    names = sorted(p.name for p in (tmp_path / "backups").iterdir())
    assert names == ["notes.txt", "umkm-20270902-090000.sqlite3", "umkm-20270903-090000.sqlite3"]
    assert written[-1].schema == await db.schema_version()
    # At start-up: the daily job at 03:00 WIB, and a catch-up as the newest is 26 hours old.
    clock.advance(hours=2)
    await on_start(core)
    job = core.scheduler.get_job(JOB)
    assert str(job.trigger) == "cron[hour='3', minute='0']"
    assert core.scheduler.get_job(f"{JOB}-catch-up") is not None
    await db.close()
    assert prune(tmp_path / "backups", 1) == [tmp_path / "backups" / names[1]]


def test_the_restore_procedure_of_the_readme_brings_everything_back(tmp_path, capsys):
    """backup, damage the live file, `check` notices, restore, everything is back."""
    config_path = write_config(tmp_path)
    config = load_config(config_path, env={})

    async def populate() -> dict:
        db = await Database.open(config.database)
        core = Core(config, db, Catalogs(config.time_zone), FEATURES, clock=Clock())
        owner = Owner(core, language_code="en")
        await start(owner)
        await owner.run(ELIGIBLE.steps("en"))
        await owner.tap("Submit")
        stored = await db.owners.find("telegram", "1001")
        state = {"owner": stored, "answers": await db.owners.answers(stored.id)}
        await db.close()
        return state

    async def read() -> dict:
        db = await Database.open(config.database)
        stored = await db.owners.find("telegram", "1001")
        state = {"owner": stored, "answers": await db.owners.answers(stored.id)}
        await db.close()
        return state

    before = asyncio.run(populate())
    assert main(["--config", str(config_path), "backup", str(tmp_path / "saved.sqlite3")]) == 0
    assert "backup written" in capsys.readouterr().out
    with config.database.open("r+b") as live:  # a disk error in the middle of the file
        live.seek(4096 * 3)
        live.write(b"\xde\xad" * 4096)
    assert main(["--config", str(config_path), "check"]) == 1
    assert "FAIL database:" in capsys.readouterr().out
    assert main(["--config", str(config_path), "restore", str(tmp_path / "saved.sqlite3")]) == 0
    out = capsys.readouterr().out
    assert "integrity ok" in out and "previous database is kept as" in out
    assert asyncio.run(read()) == before
    assert main(["--config", str(config_path), "check"]) == 0
    damaged = list(tmp_path.glob("bot.sqlite3.before-restore-*"))
    assert len(damaged) == 1


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path, capsys):
    config_path = write_config(tmp_path)
    (tmp_path / "notes.sqlite3").write_text("not a database")
    assert main(["--config", str(config_path), "restore", str(tmp_path / "notes.sqlite3")]) == 2
    assert "not a usable database" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.before-restore-*"))
