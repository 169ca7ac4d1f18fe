"""Queries on the yearly interest lists ("Daftar minat pelatihan ekspor 2027") and their members."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.storage import from_db, to_db

if TYPE_CHECKING:
    from bot.storage import Database


@dataclass(frozen=True)
class InterestList:
    """One year's interest list."""

    year: int
    opened_at: datetime
    closed_at: datetime | None
    members: int = 0

    @property
    def is_open(self) -> bool:
        """True while owners can join."""
        return self.closed_at is None


def _list(row: Any) -> InterestList:
    return InterestList(row[0], from_db(row[1]), from_db(row[2]),  # type: ignore[arg-type]
                        int(row[3] or 0))


_LIST = ("SELECT l.year, l.opened_at, l.closed_at,"
         " (SELECT count(*) FROM interest i WHERE i.year = l.year) FROM interest_lists l")
# Invited to year ?: consenting owners interested the year before or not yet eligible, and not
# on this year's list already; not those who stopped announcements (an invitation is one too).
_INVITED = ("SELECT o.id FROM owners o WHERE o.consent_at IS NOT NULL AND o.blocked_at IS NULL"
            " AND o.marketing_stopped_at IS NULL"
            " AND NOT EXISTS (SELECT 1 FROM announcement_optouts x WHERE x.owner_id = o.id)"
            " AND (o.id IN (SELECT owner_id FROM interest WHERE year = ?)"
            " OR (o.finished_at IS NOT NULL AND o.eligible = 0))"
            " AND o.id NOT IN (SELECT owner_id FROM interest WHERE year = ?)")


class Interest:
    """Named queries on interest_lists and interest."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def open(self, year: int, now: datetime) -> bool:
        """Open (or reopen) a year's list; False when it was open already."""
        return await self.db.write(
            "INSERT INTO interest_lists (year, opened_at) VALUES (?, ?) ON CONFLICT (year)"
            " DO UPDATE SET closed_at = NULL WHERE closed_at IS NOT NULL",
            (year, to_db(now))) > 0

    async def close(self, year: int, now: datetime) -> bool:
        """Stop owners joining a year's list; False when it was not open."""
        return await self.db.write(
            "UPDATE interest_lists SET closed_at = ? WHERE year = ? AND closed_at IS NULL",
            (to_db(now), year)) > 0

    async def get(self, year: int) -> InterestList | None:
        """A year's list with its number of members, if it exists."""
        row = await self.db.one(f"{_LIST} WHERE l.year = ?", (year,))
        return _list(row) if row else None

    async def lists(self, limit: int = 10) -> list[InterestList]:
        """The lists, newest year first."""
        rows = await self.db.all(f"{_LIST} ORDER BY l.year DESC LIMIT ?", (limit,))
        return [_list(row) for row in rows]

    async def latest_open(self) -> InterestList | None:
        """The newest list owners can join, if any."""
        row = await self.db.one(f"{_LIST} WHERE l.closed_at IS NULL ORDER BY l.year DESC LIMIT 1")
        return _list(row) if row else None

    async def join(self, year: int, owner_id: int, now: datetime) -> bool:
        """Put the owner on an open list; False when they were on it or it is not open."""
        return await self.db.write(
            "INSERT INTO interest (year, owner_id, joined_at) SELECT year, ?, ?"
            " FROM interest_lists WHERE year = ? AND closed_at IS NULL"
            " ON CONFLICT (year, owner_id) DO NOTHING", (owner_id, to_db(now), year)) > 0

    async def leave(self, year: int, owner_id: int) -> bool:
        """Take the owner off a year's list; False when they were not on it."""
        return await self.db.write(
            "DELETE FROM interest WHERE year = ? AND owner_id = ?", (year, owner_id)) > 0

    async def years_of(self, owner_id: int) -> list[int]:
        """The years whose lists the owner is on."""
        rows = await self.db.all(
            "SELECT year FROM interest WHERE owner_id = ? ORDER BY year", (owner_id,))
        return [row[0] for row in rows]

    def invited_sql(self, year: int) -> tuple[str, tuple[Any, ...]]:
        """SELECT of the owners to invite to `year`'s list."""
        return _INVITED, (year - 1, year)

    async def count_invited(self, year: int) -> int:
        """How many owners an invitation to `year`'s list reaches."""
        sql, params = self.invited_sql(year)
        row = await self.db.one(f"SELECT count(*) FROM ({sql})", params)
        return int(row[0]) if row else 0

    async def count_to_invite(self, year: int) -> int:
        """How many of them an invitation sent now would reach: not invited yet, not gone."""
        sql, params = self.invited_sql(year)
        row = await self.db.one(
            f"SELECT count(*) FROM owners o WHERE o.id IN ({sql}) AND o.blocked_at IS NULL"
            " AND NOT EXISTS (SELECT 1 FROM outbox x WHERE x.owner_id = o.id"
            " AND x.kind = 'invitation' AND x.ref = ?)", (*params, f"invite:{year}"))
        return int(row[0]) if row else 0
