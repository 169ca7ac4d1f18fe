"""Owners, sessions, sign-ups and interest lists written straight into a test database.

Sign-up logic is another feature's; broadcast audiences and exports only read these tables, so
tests fill them directly (and fast: thousands of owners in one transaction).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bot.storage import Database, to_db

NOW = datetime(2027, 9, 1, 2, 0, tzinfo=UTC)


async def add_owners(db: Database, count: int, *, first_id: int = 10_000, channel: str = "telegram",
                     consented: bool = True, eligible: bool | None = None,
                     readiness: int | None = None, source: str | None = None,
                     language: str = "id", answers: Mapping[str, Any] | None = None,
                     now: datetime = NOW) -> list[int]:
    """Add `count` owners whose chat ids are first_id, first_id + 1, …; return their ids."""
    finished = eligible is not None
    rows = [(channel, str(first_id + n), str(first_id + n), language, source, to_db(now),
             to_db(now), to_db(now) if consented else None, "2026-11" if consented else None,
             to_db(now) if finished else None, None if eligible is None else int(eligible),
             readiness) for n in range(count)]
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO owners (channel, external_id, chat_id, language, source, started_at,"
            " last_seen_at, consent_at, consent_version, finished_at, eligible, readiness)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        cursor = await conn.execute(
            "SELECT id FROM owners WHERE channel = ? AND CAST(external_id AS INTEGER)"
            " BETWEEN ? AND ? ORDER BY id", (channel, first_id, first_id + count - 1))
        ids = [row[0] for row in await cursor.fetchall()]
        if answers:
            await conn.executemany(
                "INSERT INTO answers (owner_id, question_id, value, answered_at)"
                " VALUES (?, ?, ?, ?)",
                [(owner_id, key, json.dumps(value), to_db(now)) for owner_id in ids
                 for key, value in answers.items()])
    return ids


async def add_session(db: Database, title: str, starts_at: datetime, *, place: str = "Aula",
                      capacity: int = 30, status: str = "open") -> int:
    """Add a training session; return its id."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO sessions (title, starts_at, place, capacity, year, status, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (title, to_db(starts_at), place, capacity, starts_at.year, status, to_db(NOW),
             to_db(NOW)))
        return int(cursor.lastrowid or 0)


async def sign_up(db: Database, session_id: int, owner_ids: list[int], status: str = "registered",
                  attendance: str | None = None, at: datetime = NOW) -> None:
    """Register owners for a session (or put them on its waiting list, in order)."""
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO registrations (session_id, owner_id, status, position, attendance,"
            " registered_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(session_id, owner_id, status, n + 1 if status == "waiting" else None, attendance,
              to_db(at), to_db(at)) for n, owner_id in enumerate(owner_ids)])


async def add_interest(db: Database, year: int, owner_ids: list[int]) -> None:
    """Open the interest list of `year` and put owners on it."""
    async with db.transaction() as conn:
        await conn.execute("INSERT OR IGNORE INTO interest_lists (year, opened_at) VALUES (?, ?)",
                           (year, to_db(NOW)))
        await conn.executemany("INSERT INTO interest (year, owner_id, joined_at) VALUES (?, ?, ?)",
                               [(year, owner_id, to_db(NOW)) for owner_id in owner_ids])
