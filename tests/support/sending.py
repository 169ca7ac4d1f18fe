"""Waiting for the sender's real loop: bounded waits on the outbox, never a fixed sleep."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.core import Core
from bot.storage import Database, to_db
from tests.support.sessionkit import outbox

POLL = 0.01  # seconds between two looks at the condition


async def eventually(condition: Callable[[], Awaitable[bool]], timeout: float = 5.0,
                     what: str = "the condition") -> None:
    """Return as soon as `condition()` holds; fail after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await condition():
        if loop.time() > deadline:
            raise AssertionError(f"{what} did not come true within {timeout} s")
        await asyncio.sleep(POLL)


async def unsettled(db: Database, due_at: datetime | None = None, kind: str | None = None) -> int:
    """Rows being sent, or queued (and due at `due_at`, when given)."""
    sql = "SELECT count(*) FROM outbox WHERE (status = 'sending' OR (status = 'queued'"
    params: list = []
    if due_at is not None:
        sql += " AND not_before <= ?"
        params.append(to_db(due_at))
    sql += "))"
    if kind is not None:
        sql += " AND kind = ?"
        params.append(kind)
    row = await db.one(sql, params)
    return row[0] if row else 0


async def settled(db: Database, kind: str | None = None, timeout: float = 5.0) -> list[tuple]:
    """Once every outbox row (of `kind`) has its final status: (owner id, kind, ref, status)."""
    async def done() -> bool:
        return await unsettled(db, kind=kind) == 0
    await eventually(done, timeout, "every outbox row settling")
    return await outbox(db, kind)


async def drain(core: Core, timeout: float = 5.0) -> None:
    """Wake the core's running sender; return when nothing due is left unsent."""
    core.wake_sender()

    async def done() -> bool:
        return await unsettled(core.db, due_at=core.clock()) == 0
    await eventually(done, timeout, "the sender sending everything due")
