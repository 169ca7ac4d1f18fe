"""Queries about owners: identity, consent, questionnaire answers, results, erasure."""

from __future__ import annotations

import json
import sqlite3
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.storage import from_db, to_db

if TYPE_CHECKING:
    from bot.storage import Database


@dataclass(frozen=True)
class Owner:
    """One UMKM owner as stored."""

    id: int
    channel: str
    external_id: str
    chat_id: str
    language: str | None
    source: str | None
    started_at: datetime
    last_seen_at: datetime
    consent_at: datetime | None
    consent_version: str | None
    cursor: str | None
    draft: tuple[str, ...]
    draft_for: str | None
    walk: bool
    paused: bool
    finished_at: datetime | None
    eligible: bool | None
    readiness: int | None
    result: Mapping[str, Any] | None
    blocked_at: datetime | None
    marketing_stopped_at: datetime | None = None  # stopped marketing messages in the messenger

    @property
    def consented(self) -> bool:
        """True once the privacy notice was accepted."""
        return self.consent_at is not None

    @property
    def answering(self) -> bool:
        """True while the owner is in the questionnaire, not paused (not yet submitted, or
        changing an answer after the result)."""
        return self.consented and not self.paused and (
            self.finished_at is None or self.cursor is not None)


def _owner(row: Any) -> Owner:
    return Owner(
        id=row["id"],
        channel=row["channel"],
        external_id=row["external_id"],
        chat_id=row["chat_id"],
        language=row["language"],
        source=row["source"],
        started_at=from_db(row["started_at"]),  # type: ignore[arg-type]
        last_seen_at=from_db(row["last_seen_at"]),  # type: ignore[arg-type]
        consent_at=from_db(row["consent_at"]),
        consent_version=row["consent_version"],
        cursor=row["cursor"],
        draft=tuple(json.loads(row["draft"])) if row["draft"] else (),
        draft_for=row["draft_for"],
        walk=bool(row["walk"]),
        paused=bool(row["paused"]),
        finished_at=from_db(row["finished_at"]),
        eligible=None if row["eligible"] is None else bool(row["eligible"]),
        readiness=row["readiness"],
        result=json.loads(row["result"]) if row["result"] else None,
        blocked_at=from_db(row["blocked_at"]),
        marketing_stopped_at=from_db(row["marketing_stopped_at"]),
    )


CACHE = 4096  # owners kept in memory (the most recently active): their row and their answers


class Owners:
    """Named queries on the owners and answers tables.

    Every message an owner sends reads their row and their answers, and only this class writes
    either, so the most recently active owners' rows and answers are also kept in memory. Each
    write updates or forgets the copy as soon as it is committed. That keeps the copies true
    because every query goes through the database's lock to one connection whose single thread
    runs them in order, and the coroutine of each query resumes in that same order: a read that
    ran before a write is cached before that write updates the cache. Only this process may
    write to the file while the bot runs (as for any SQLite database the bot owns).
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._answers: OrderedDict[int, dict[str, Any]] = OrderedDict()
        self._rows: OrderedDict[tuple[str, str], Owner] = OrderedDict()
        self._keys: dict[int, tuple[str, str]] = {}  # owner id -> key of its cached row

    def _remember(self, owner: Owner) -> None:
        key = (owner.channel, owner.external_id)
        self._rows[key] = owner
        self._rows.move_to_end(key)
        self._keys[owner.id] = key
        if len(self._rows) > CACHE:
            _key, oldest = self._rows.popitem(last=False)
            self._keys.pop(oldest.id, None)

    def _forget(self, owner_id: int) -> None:
        """Drop the cached row after a change to it (read again when next needed)."""
        key = self._keys.pop(owner_id, None)
        if key is not None:
            self._rows.pop(key, None)

    def forget(self, owner_ids: Iterable[int]) -> None:
        """Drop cached rows that another repository changed (read again when next needed)."""
        for owner_id in owner_ids:
            self._forget(owner_id)

    async def _update(self, owner_id: int, sql: str, params: tuple[Any, ...]) -> None:
        """One statement changing the owner's row; the cached copy is dropped after it."""
        try:
            await self.db.write(sql, params)
        finally:
            self._forget(owner_id)

    async def find(self, channel: str, external_id: str) -> Owner | None:
        """The owner known to `channel` as `external_id`, if any."""
        cached = self._rows.get((channel, external_id))
        if cached is not None:
            self._rows.move_to_end((channel, external_id))
            return cached
        row = await self.db.one(
            "SELECT * FROM owners WHERE channel = ? AND external_id = ?", (channel, external_id)
        )
        if row is None:
            return None
        owner = _owner(row)
        self._remember(owner)
        return owner

    async def get(self, owner_id: int) -> Owner | None:
        """The owner with this internal id, if any."""
        row = await self.db.one("SELECT * FROM owners WHERE id = ?", (owner_id,))
        return _owner(row) if row else None

    async def create(self, channel: str, external_id: str, chat_id: str, language: str,
                     source: str | None, now: datetime) -> Owner:
        """Record a new owner (no personal data yet: only how to reach them)."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO owners (channel, external_id, chat_id, language, source,"
                " started_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (channel, external_id) DO NOTHING",
                (channel, external_id, chat_id, language, source, to_db(now), to_db(now)),
            )
        owner = await self.find(channel, external_id)
        assert owner is not None
        return owner

    async def seen(self, owner_id: int, chat_id: str, now: datetime) -> None:
        """Note that the owner wrote just now: they have not blocked the bot, and they may be
        sent marketing messages again if their messenger had stopped them."""
        await self._update(
            owner_id,
            "UPDATE owners SET last_seen_at = ?, chat_id = ?, blocked_at = NULL,"
            " marketing_stopped_at = NULL WHERE id = ?",
            (to_db(now), chat_id, owner_id),
        )

    async def set_language(self, owner_id: int, language: str) -> None:
        """Remember the owner's language."""
        await self._update(owner_id, "UPDATE owners SET language = ? WHERE id = ?",
                           (language, owner_id))

    async def consent(self, owner_id: int, version: str, language: str, now: datetime) -> None:
        """Record that the owner accepted privacy notice `version`, shown in `language`."""
        await self._update(
            owner_id,
            "UPDATE owners SET consent_at = ?, consent_version = ?, consent_language = ?,"
            " paused = 0 WHERE id = ?",
            (to_db(now), version, language, owner_id),
        )

    async def answers(self, owner_id: int) -> dict[str, Any]:
        """Every stored answer of the owner, by question id (values must not be changed)."""
        cached = self._answers.get(owner_id)
        if cached is not None:
            self._answers.move_to_end(owner_id)
            return dict(cached)
        rows = await self.db.all(
            "SELECT question_id, value FROM answers WHERE owner_id = ?", (owner_id,)
        )
        answers = {row["question_id"]: json.loads(row["value"]) for row in rows}
        self._answers[owner_id] = answers
        if len(self._answers) > CACHE:
            self._answers.popitem(last=False)
        return dict(answers)

    def _written(self, owner_id: int, answers: dict[str, Any] | None) -> None:
        """Keep the cache true after a committed change (None: forget the owner)."""
        if answers is None:
            self._answers.pop(owner_id, None)
            self._forget(owner_id)
        elif owner_id in self._answers:
            self._answers[owner_id] = answers

    async def save_step(self, owner_id: int, save: Mapping[str, Any], drop: Iterable[str],
                        cursor: str | None, draft: tuple[str, ...], draft_for: str | None,
                        now: datetime, walk: bool = False) -> Owner | None:
        """Store one questionnaire step atomically and return the owner as now stored.

        Answers given, answers dropped and the position are committed together. An answer that
        changes after the result was given makes the result stale, so the result is cleared and
        the owner submits again from the summary.
        """
        saved = [(owner_id, question_id, json.dumps(value, ensure_ascii=False), to_db(now))
                 for question_id, value in save.items()]
        dropped = [(owner_id, question_id) for question_id in drop]
        position = (cursor, json.dumps(list(draft)) if draft else None, draft_for, int(walk),
                    owner_id)

        def work(conn: sqlite3.Connection) -> Any:
            # Only the statements needed: each is a hand-back of the GIL in aiosqlite's thread.
            if saved:
                conn.executemany(
                    "INSERT INTO answers (owner_id, question_id, value, answered_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (owner_id, question_id)"
                    " DO UPDATE SET value = excluded.value, answered_at = excluded.answered_at",
                    saved)
            if dropped:
                conn.executemany("DELETE FROM answers WHERE owner_id = ? AND question_id = ?",
                                 dropped)
            if saved or dropped:  # matches only when there is a result (and its index entry)
                conn.execute(
                    "UPDATE owners SET finished_at = NULL, eligible = NULL, readiness = NULL,"
                    " result = NULL WHERE id = ? AND finished_at IS NOT NULL", (owner_id,))
            return conn.execute(
                "UPDATE owners SET cursor = ?, draft = ?, draft_for = ?, walk = ?, paused = 0"
                " WHERE id = ? RETURNING *", position).fetchone()

        try:
            row = await self.db.atomically(work)
        except BaseException:
            self._written(owner_id, None)
            raise
        cached = self._answers.get(owner_id)
        if cached is not None:
            changed_answers = {**cached, **{q: json.loads(v) for _o, q, v, _t in saved}}
            for _o, question_id in dropped:
                changed_answers.pop(question_id, None)
            self._written(owner_id, changed_answers)
        if row is None:  # erased meanwhile
            self._written(owner_id, None)
            return None
        owner = _owner(row)
        self._remember(owner)
        return owner

    async def finish(self, owner_id: int, eligible: bool, readiness: int,
                     result: Mapping[str, Any], now: datetime) -> None:
        """Store the questionnaire's result."""
        await self._update(
            owner_id,
            "UPDATE owners SET finished_at = ?, eligible = ?, readiness = ?, result = ?,"
            " cursor = NULL, walk = 0, paused = 0 WHERE id = ?",
            (to_db(now), int(eligible), readiness, json.dumps(result), owner_id),
        )

    async def set_paused(self, owner_id: int, paused: bool) -> None:
        """Stop or resume asking questions."""
        await self._update(owner_id, "UPDATE owners SET paused = ? WHERE id = ?",
                           (int(paused), owner_id))

    async def restart(self, owner_id: int) -> None:
        """Forget every answer and the result, keeping consent and language (/ulang)."""
        self._written(owner_id, None)
        try:
            async with self.db.transaction() as conn:
                await conn.execute("DELETE FROM answers WHERE owner_id = ?", (owner_id,))
                await conn.execute(
                    "UPDATE owners SET cursor = NULL, draft = NULL, draft_for = NULL, walk = 0,"
                    " paused = 0, finished_at = NULL, eligible = NULL, readiness = NULL,"
                    " result = NULL WHERE id = ?",
                    (owner_id,),
                )
        finally:
            self._written(owner_id, None)  # also after: a read during the change saw the old

    async def delete(self, owner_id: int) -> bool:
        """Erase the owner and everything linked to them, for good (/hapusdata)."""
        self._written(owner_id, None)
        try:
            return await self.db.write("DELETE FROM owners WHERE id = ?", (owner_id,)) > 0
        finally:
            self._written(owner_id, None)

    async def stop_marketing(self, owner_id: int, now: datetime) -> None:
        """The owner's messenger says they stopped marketing messages: none until they write."""
        await self._update(
            owner_id, "UPDATE owners SET marketing_stopped_at = ? WHERE id = ?"
            " AND marketing_stopped_at IS NULL", (to_db(now), owner_id))

    async def mark_blocked(self, owner_id: int, now: datetime) -> None:
        """The owner blocked the bot: do not write to them until they write again."""
        await self._update(
            owner_id, "UPDATE owners SET blocked_at = ? WHERE id = ? AND blocked_at IS NULL",
            (to_db(now), owner_id),
        )
