"""Backups: consistent copies of the live database, made while the bot runs, and restoring one.

A copy is made with SQLite's online backup API through a connection of its own (never a file
copy, which could catch a half-written page or miss the WAL): the copy is one snapshot of the
database as it was at one moment, even while the bot writes. It is written beside the target,
checked with `PRAGMA integrity_check`, and only then renamed into place, so a backup file that
exists is complete. These functions block; the bot runs them in a thread.
"""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.storage import StorageError

# Daily backups are named by their local time, so sorting names sorts them by age.
_NAME = re.compile(r"^umkm-(\d{8}-\d{6})\.sqlite3$")


@dataclass(frozen=True)
class Copy:
    """A finished copy of the database."""

    path: Path
    size: int
    schema: int


def backup_name(moment: datetime) -> str:
    """The file name of a daily backup taken at `moment` (local time)."""
    return f"umkm-{moment:%Y%m%d-%H%M%S}.sqlite3"


def _connect(path: Path, *, create: bool = False) -> sqlite3.Connection:
    if not create and not path.is_file():
        raise StorageError(f"The database {path} does not exist.")
    try:
        return sqlite3.connect(f"file:{path}?mode={'rwc' if create else 'rw'}", uri=True,
                               timeout=30)
    except sqlite3.Error as exc:
        raise StorageError(f"The database {path} cannot be opened: {exc}.") from None


def check_copy(conn: sqlite3.Connection, path: Path) -> int:
    """Check a database file's integrity; return its schema version."""
    try:
        verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
        schema = int(conn.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        raise StorageError(f"{path} is not a usable database: {exc}.") from None
    if verdict != "ok":
        raise StorageError(f"{path} is damaged: {verdict}.")
    if schema < 1:
        raise StorageError(f"{path} is not a database of this bot (no schema).")
    return schema


def _copy(source: Path, target: Path) -> Copy:
    """Copy `source` into a new file `target` with the online backup API and check it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    src = _connect(source)
    try:
        dst = _connect(partial, create=True)
        try:
            src.backup(dst)  # all pages in one step: one consistent snapshot
            dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
            schema = check_copy(dst, partial)
        finally:
            dst.close()
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise StorageError(f"The backup to {target} failed: {exc}.") from None
    except StorageError:
        partial.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    with partial.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, target)
    _sync_directory(target.parent)
    return Copy(target, target.stat().st_size, schema)


def backup(source: Path, target: Path, moment: datetime) -> Copy:
    """Copy the live database `source` to `target`: a file, or a folder to name it in by time."""
    if target.is_dir():
        target = target / backup_name(moment)
    if target.exists():
        raise StorageError(f"{target} exists already; choose a new file name.")
    return _copy(source, target)


def restore(copy: Path, live: Path, moment: datetime) -> Path | None:
    """Put the backup `copy` in place of the database `live` (the bot must be stopped).

    The current file (with its WAL) is kept beside it as `<name>.before-restore-<time>`, so a
    restore can itself be undone; that path is returned (None when there was no file).
    """
    src = _connect(copy)
    try:
        check_copy(src, copy)
    finally:
        src.close()
    aside = None
    stamp = f"{moment:%Y%m%d-%H%M%S}"
    for suffix in ("", "-wal", "-shm"):
        current = live.with_name(live.name + suffix)
        if current.exists():
            moved = live.with_name(f"{live.name}.before-restore-{stamp}{suffix}")
            os.replace(current, moved)
            aside = aside or moved
    restored = _copy(copy, live)
    conn = _connect(restored.path)
    try:
        conn.execute("PRAGMA journal_mode=WAL")  # as the bot runs it
    finally:
        conn.close()
    return aside


def prune(directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` daily backups in `directory`; return those deleted."""
    backups = sorted(p for p in directory.iterdir() if _NAME.match(p.name)) \
        if directory.is_dir() else []
    old = backups[:-keep] if keep > 0 else backups
    for path in old:
        path.unlink(missing_ok=True)
    return old


def newest(directory: Path) -> tuple[Path, datetime] | None:
    """The newest daily backup in `directory` and when it was taken (naive local time)."""
    found = sorted(p for p in directory.iterdir() if _NAME.match(p.name)) \
        if directory.is_dir() else []
    if not found:
        return None
    match = _NAME.match(found[-1].name)
    assert match is not None
    return found[-1], datetime.strptime(match.group(1), "%Y%m%d-%H%M%S")


def _sync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
