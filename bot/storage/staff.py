"""Queries for staff: conversations in progress and the audit log."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.storage import from_db, to_db

if TYPE_CHECKING:
    from bot.storage import Database


@dataclass(frozen=True)
class Flow:
    """A staff conversation in progress."""

    name: str
    step: str
    data: Mapping[str, Any]


@dataclass(frozen=True)
class AuditEntry:
    """One staff action."""

    id: int
    at: datetime
    channel: str
    actor: str
    action: str
    detail: Mapping[str, Any]
    audience: int | None


class Staff:
    """Named queries on staff_flows and audit_log."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def flow(self, channel: str, user_id: str) -> Flow | None:
        """The staff member's conversation in progress, if any."""
        row = await self.db.one(
            "SELECT name, step, data FROM staff_flows WHERE channel = ? AND user_id = ?",
            (channel, user_id))
        return Flow(row[0], row[1], json.loads(row[2])) if row else None

    async def save_flow(self, channel: str, user_id: str, flow: Flow, now: datetime) -> None:
        """Start or advance a conversation (each step is committed at once)."""
        await self.db.write(
            "INSERT INTO staff_flows (channel, user_id, name, step, data, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (channel, user_id) DO UPDATE SET"
            " name = excluded.name, step = excluded.step, data = excluded.data,"
            " updated_at = excluded.updated_at",
            (channel, user_id, flow.name, flow.step, json.dumps(flow.data, ensure_ascii=False),
             to_db(now)))

    async def end_flow(self, channel: str, user_id: str) -> bool:
        """Forget the conversation in progress; False when there was none."""
        return await self.db.write(
            "DELETE FROM staff_flows WHERE channel = ? AND user_id = ?", (channel, user_id)) > 0

    async def audit(self, channel: str, actor: str, action: str, detail: Mapping[str, Any],
                    audience: int | None, now: datetime) -> None:
        """Record one staff action."""
        await self.db.write(
            "INSERT INTO audit_log (at, channel, actor, action, detail, audience)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (to_db(now), channel, actor, action, json.dumps(detail, ensure_ascii=False),
             audience))

    async def audit_entries(self, limit: int = 20, before: int | None = None) -> list[AuditEntry]:
        """The newest staff actions first (older than entry `before`, when given)."""
        rows = await self.db.all(
            "SELECT id, at, channel, actor, action, detail, audience FROM audit_log"
            " WHERE id < ? ORDER BY id DESC LIMIT ?",
            (before if before is not None else 2**62, limit))
        return [AuditEntry(r[0], from_db(r[1]), r[2], r[3], r[4], json.loads(r[5]), r[6])
                for r in rows]
