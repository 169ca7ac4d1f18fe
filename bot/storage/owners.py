"""Queries about owners: identity, consent, questionnaire answers, results, erasure."""

from __future__ import annotations

import json
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
    paused: bool
    finished_at: datetime | None
    eligible: bool | None
    readiness: int | None
    result: Mapping[str, Any] | None
    blocked_at: datetime | None

    @property
    def consented(self) -> bool:
        """True once the privacy notice was accepted."""
        return self.consent_at is not None


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
        paused=bool(row["paused"]),
        finished_at=from_db(row["finished_at"]),
        eligible=None if row["eligible"] is None else bool(row["eligible"]),
        readiness=row["readiness"],
        result=json.loads(row["result"]) if row["result"] else None,
        blocked_at=from_db(row["blocked_at"]),
    )


class Owners:
    """Named queries on the owners and answers tables."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def find(self, channel: str, external_id: str) -> Owner | None:
        """The owner known to `channel` as `external_id`, if any."""
        row = await self.db.one(
            "SELECT * FROM owners WHERE channel = ? AND external_id = ?", (channel, external_id)
        )
        return _owner(row) if row else None

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
        """Note that the owner wrote just now (and that they have not blocked the bot)."""
        await self.db.write(
            "UPDATE owners SET last_seen_at = ?, chat_id = ?, blocked_at = NULL WHERE id = ?",
            (to_db(now), chat_id, owner_id),
        )

    async def set_language(self, owner_id: int, language: str) -> None:
        """Remember the owner's language."""
        await self.db.write("UPDATE owners SET language = ? WHERE id = ?", (language, owner_id))

    async def consent(self, owner_id: int, version: str, language: str, now: datetime) -> None:
        """Record that the owner accepted privacy notice `version`, shown in `language`."""
        await self.db.write(
            "UPDATE owners SET consent_at = ?, consent_version = ?, consent_language = ?,"
            " paused = 0 WHERE id = ?",
            (to_db(now), version, language, owner_id),
        )

    async def answers(self, owner_id: int) -> dict[str, Any]:
        """Every stored answer of the owner, by question id."""
        rows = await self.db.all(
            "SELECT question_id, value FROM answers WHERE owner_id = ?", (owner_id,)
        )
        return {row["question_id"]: json.loads(row["value"]) for row in rows}

    async def save_step(self, owner_id: int, save: Mapping[str, Any], drop: Iterable[str],
                        cursor: str | None, draft: tuple[str, ...], draft_for: str | None,
                        now: datetime) -> None:
        """Store one questionnaire step atomically: answers given, answers dropped, position.

        An answer that changes after the result was given makes the result stale, so the
        result is cleared and the owner submits again from the summary.
        """
        async with self.db.transaction() as conn:
            for question_id, value in save.items():
                await conn.execute(
                    "INSERT INTO answers (owner_id, question_id, value, answered_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (owner_id, question_id)"
                    " DO UPDATE SET value = excluded.value, answered_at = excluded.answered_at",
                    (owner_id, question_id, json.dumps(value, ensure_ascii=False), to_db(now)),
                )
            for question_id in drop:
                await conn.execute(
                    "DELETE FROM answers WHERE owner_id = ? AND question_id = ?",
                    (owner_id, question_id),
                )
            changed = ", finished_at = NULL, eligible = NULL, readiness = NULL, result = NULL" \
                if save or drop else ""
            await conn.execute(
                f"UPDATE owners SET cursor = ?, draft = ?, draft_for = ?, paused = 0{changed}"
                " WHERE id = ?",
                (cursor, json.dumps(list(draft)) if draft else None, draft_for, owner_id),
            )

    async def finish(self, owner_id: int, eligible: bool, readiness: int,
                     result: Mapping[str, Any], now: datetime) -> None:
        """Store the questionnaire's result."""
        await self.db.write(
            "UPDATE owners SET finished_at = ?, eligible = ?, readiness = ?, result = ?,"
            " cursor = NULL, paused = 0 WHERE id = ?",
            (to_db(now), int(eligible), readiness, json.dumps(result), owner_id),
        )

    async def set_paused(self, owner_id: int, paused: bool) -> None:
        """Stop or resume asking questions."""
        await self.db.write("UPDATE owners SET paused = ? WHERE id = ?", (int(paused), owner_id))

    async def restart(self, owner_id: int) -> None:
        """Forget every answer and the result, keeping consent and language (/ulang)."""
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM answers WHERE owner_id = ?", (owner_id,))
            await conn.execute(
                "UPDATE owners SET cursor = NULL, draft = NULL, draft_for = NULL, paused = 0,"
                " finished_at = NULL, eligible = NULL, readiness = NULL, result = NULL"
                " WHERE id = ?",
                (owner_id,),
            )

    async def delete(self, owner_id: int) -> bool:
        """Erase the owner and everything linked to them, for good (/hapusdata)."""
        return await self.db.write("DELETE FROM owners WHERE id = ?", (owner_id,)) > 0

    async def mark_blocked(self, owner_id: int, now: datetime) -> None:
        """The owner blocked the bot: do not write to them until they write again."""
        await self.db.write(
            "UPDATE owners SET blocked_at = ? WHERE id = ? AND blocked_at IS NULL",
            (to_db(now), owner_id),
        )
