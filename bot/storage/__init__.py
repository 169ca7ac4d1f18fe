"""Storage: one SQLite file through aiosqlite, migrated at start-up, with named queries.

`Database` owns the connection, the migrations and the transaction lock; each feature's queries
live in a repository module of this package (`owners`, …) reached as `db.owners`, so no SQL is
written anywhere else. WAL mode with synchronous=NORMAL: a committed transaction survives the
process being killed; only a power cut can take the last few commits.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import aiosqlite

if TYPE_CHECKING:
    from bot.storage.columns import Columns

T = TypeVar("T")
_MIGRATION = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


class StorageError(Exception):
    """The database cannot be opened or migrated; the message says what to do."""


def to_db(moment: datetime) -> str:
    """Store an aware datetime as a sortable UTC ISO string."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def from_db(text: str | None) -> datetime | None:
    """Read a datetime stored by `to_db`."""
    return datetime.fromisoformat(text) if text else None


def known_migrations() -> list[tuple[int, str, str]]:
    """The numbered migrations shipped with the code, in order: (number, name, SQL)."""
    found = []
    for entry in resources.files("bot.storage.migrations").iterdir():
        match = _MIGRATION.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [n for n, _, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise StorageError(f"Migrations must be numbered 001, 002, … without gaps: {numbers}.")
    return found


class Database:
    """The open database and its repositories."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        from bot.storage.applicants import Applicants
        from bot.storage.broadcasts import Broadcasts
        from bot.storage.inbox import Inbox
        from bot.storage.interest import Interest
        from bot.storage.media import MediaFiles
        from bot.storage.outbox import Outbox
        from bot.storage.owners import Owners
        from bot.storage.registrations import Registrations
        from bot.storage.reports import Reports
        from bot.storage.sessions import Sessions
        from bot.storage.staff import Staff
        from bot.storage.web import Web

        self.conn = conn
        self.path = path
        self._lock = asyncio.Lock()
        self.owners = Owners(self)
        self.outbox = Outbox(self)
        self.staff = Staff(self)
        self.sessions = Sessions(self)
        self.registrations = Registrations(self)
        self.interest = Interest(self)
        self.broadcasts = Broadcasts(self)
        self.reports = Reports(self)
        self.web = Web(self)
        self.applicants = Applicants(self)
        self.inbox = Inbox(self)
        self.media = MediaFiles(self)
        self._columns: Columns | None = None

    @property
    def columns(self) -> Columns:
        """The question ids the staff queries read as columns (set by the core at start)."""
        if self._columns is None:
            raise StorageError("The database was opened without the questionnaire's columns.")
        return self._columns

    @columns.setter
    def columns(self, columns: Columns) -> None:
        self._columns = columns

    @classmethod
    async def open(cls, path: Path | str) -> Database:
        """Open (creating if needed) and migrate the database at `path`."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = await aiosqlite.connect(path, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise StorageError(f"The database {path} cannot be opened: {exc}.") from None
        conn.row_factory = aiosqlite.Row
        db = cls(conn, path)
        try:
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON",
                           "busy_timeout=5000", "secure_delete=ON"):
                await conn.execute(f"PRAGMA {pragma}")
            await db.migrate()
        except StorageError:
            await conn.close()
            raise
        except sqlite3.DatabaseError as exc:
            await conn.close()
            raise StorageError(f"The database {path} cannot be used: {exc}.") from None
        return db

    async def close(self) -> None:
        """Close the connection (waits for a running transaction)."""
        async with self._lock:
            await self.conn.close()

    async def schema_version(self) -> int:
        """How many migrations have been applied."""
        row = await self.one("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def migrate(self) -> int:
        """Apply the migrations the file does not have yet; return the new version."""
        version = await self.schema_version()
        known = known_migrations()
        if version > len(known):
            raise StorageError(
                f"The database {self.path} is from a newer version of the bot "
                f"(schema {version}, this code knows {len(known)})."
            )
        for number, _name, sql in known[version:]:
            async with self._lock:
                # The script and its version bump commit together or not at all.
                try:
                    await self.conn.executescript(
                        f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;"
                    )
                except sqlite3.Error:
                    if self.conn.in_transaction:
                        await self.conn.execute("ROLLBACK")
                    raise
        return len(known)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Run statements atomically; concurrent callers wait their turn."""
        async with self._lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            await self.conn.execute("COMMIT")

    # Each call into aiosqlite is a hand-over to its thread and back, which costs far more than
    # the SQL itself; so reads and single statements take one hand-over each (not three).

    async def atomically(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` on the raw connection as one transaction, in one hand-off to SQLite.

        Every await on aiosqlite is a hand-off to its worker thread and back; a transaction of
        four statements is eight thread switches. For the hot path (an owner's answer) the
        whole transaction runs in the worker at once. `Connection._execute` is the primitive
        every public aiosqlite method is built on (the dependency is pinned below 0.23).
        """

        def run() -> T:
            raw: sqlite3.Connection = self.conn._conn
            raw.execute("BEGIN IMMEDIATE")
            try:
                result = work(raw)
            except BaseException:
                raw.execute("ROLLBACK")
                raise
            raw.execute("COMMIT")
            return result

        async with self._lock:
            return await self.conn._execute(run)

    async def one(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        """Run a query of (at most) one row and return it."""
        rows = await self.all(sql, params)
        return rows[0] if rows else None

    async def all(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        """Run a query and return every row."""
        async with self._lock:
            return list(await self.conn.execute_fetchall(sql, tuple(params)))

    async def write(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run one statement in its own transaction; return the rows changed."""
        async with self._lock:  # autocommit: a single statement is a transaction of its own
            cursor = await self.conn.execute(sql, tuple(params))
            return cursor.rowcount

    async def integrity_check(self) -> str:
        """SQLite's own check of the file: "ok" when healthy."""
        row = await self.one("PRAGMA integrity_check")
        return str(row[0]) if row else "no answer"
