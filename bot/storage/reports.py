"""Read-only queries for staff reports: the funnel (/rekap) and the export (/ekspor)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from bot.storage import from_db

if TYPE_CHECKING:
    from bot.storage import Database
    from bot.storage.columns import Columns

STAGES = ("started", "consented", "finished", "eligible", "signed_up", "confirmed", "attended")
# Whether owner `o` reached each stage: the one definition, used by the funnel and by the staff
# web page's applicants table (its "reached" filter counts what the funnel counts).
_REGISTERED = "EXISTS (SELECT 1 FROM registrations r WHERE r.owner_id = o.id AND {})"
REACHED = {
    "started": "1",
    "consented": "o.consent_at IS NOT NULL",
    "finished": "o.finished_at IS NOT NULL",
    "eligible": "o.eligible = 1",
    "signed_up": _REGISTERED.format("r.status IN ('registered', 'waiting')"),
    "confirmed": _REGISTERED.format(
        "r.status = 'registered' AND (r.attendance = 'confirmed' OR r.present = 1)"),
    "attended": _REGISTERED.format("r.status = 'registered' AND r.present = 1"),
}
# What a funnel can be broken down by: an answer (a field of `Columns`) or a column of owners.
DIMENSIONS = {"product": "product", "kecamatan": "kecamatan", "source": "o.source",
              "channel": "o.channel"}


@cache
def _funnel(columns: Columns) -> str:
    """One pass over the owners: the stage counts of every combination of the dimensions'
    groups (a few hundred rows at most), added up per dimension in Python."""
    groups = [by if by.startswith("o.") else f"json_extract({name}.value, '$')"
              for name, by in DIMENSIONS.items()]
    joins = [f"LEFT JOIN answers {name} ON {name}.owner_id = o.id"
             f" AND {name}.question_id = '{getattr(columns, by)}'"
             for name, by in DIMENSIONS.items() if not by.startswith("o.")]
    counts = [f"coalesce(sum({REACHED[stage]}), 0)" for stage in STAGES]
    return (f"SELECT {', '.join(groups + counts)} FROM owners o {' '.join(joins)}"
            f" GROUP BY {', '.join(str(n + 1) for n in range(len(groups)))}")


@dataclass(frozen=True)
class FunnelRow:
    """How many owners reached each stage, for one group (a product type, a source, …)."""

    group: str | None
    counts: tuple[int, ...]  # in the order of STAGES


@dataclass(frozen=True)
class OwnerRecord:
    """One owner with their answers, for the export."""

    id: int
    channel: str
    language: str | None
    source: str | None
    started_at: datetime
    consent_at: datetime | None
    finished_at: datetime | None
    eligible: bool | None
    readiness: int | None
    blocked: bool
    answers: dict[str, Any]


@dataclass(frozen=True)
class SessionRecord:
    """A training session, for the export."""

    id: int
    title: str
    starts_at: datetime
    place: str
    capacity: int
    status: str


@dataclass(frozen=True)
class Applicant:
    """One owner's sign-up for a session (not cancelled), for the export."""

    session_id: int
    owner_id: int
    status: str
    position: int | None
    attendance: str | None
    registered_at: datetime
    present: bool | None = None


class Reports:
    """Named read-only queries for reports and exports."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def funnels(self) -> dict[str | None, list[FunnelRow]]:
        """The funnel over all owners (under None, one row) and broken down by every dimension
        (one row per group, the largest first), from one query."""
        rows = await self.db.all(_funnel(self.db.columns))
        width = len(DIMENSIONS)
        totals: dict[str | None, dict[str | None, list[int]]] = {None: {None: [0] * len(STAGES)}}
        for row in rows:
            counts = [int(v) for v in row[width:]]
            for dimension, key in [(None, None), *zip(DIMENSIONS, row[:width], strict=True)]:
                group = None if key is None else str(key)
                summed = totals.setdefault(dimension, {}).setdefault(group, [0] * len(STAGES))
                for stage, count in enumerate(counts):
                    summed[stage] += count
        return {dimension: sorted((FunnelRow(group, tuple(counts))
                                   for group, counts in totals.get(dimension, {}).items()),
                                  key=lambda r: (-r.counts[0], r.group is not None, r.group or ""))
                for dimension in (None, *DIMENSIONS)}

    async def funnel(self, dimension: str | None = None) -> list[FunnelRow]:
        """The funnel over all owners (one row), or one row per group of `dimension`."""
        return (await self.funnels())[dimension]

    async def owners(self) -> list[OwnerRecord]:
        """Every owner with their answers, by id."""
        answers: dict[int, dict[str, Any]] = {}
        for row in await self.db.all("SELECT owner_id, question_id, value FROM answers"):
            answers.setdefault(row[0], {})[row[1]] = json.loads(row[2])
        rows = await self.db.all(
            "SELECT id, channel, language, source, started_at, consent_at, finished_at,"
            " eligible, readiness, blocked_at FROM owners ORDER BY id")
        return [
            OwnerRecord(
                id=r[0], channel=r[1], language=r[2], source=r[3],
                started_at=from_db(r[4]),  # type: ignore[arg-type]
                consent_at=from_db(r[5]), finished_at=from_db(r[6]),
                eligible=None if r[7] is None else bool(r[7]), readiness=r[8],
                blocked=r[9] is not None, answers=answers.get(r[0], {}))
            for r in rows
        ]

    async def sessions(self) -> list[SessionRecord]:
        """Every training session, earliest first."""
        rows = await self.db.all(
            "SELECT id, title, starts_at, place, capacity, status FROM sessions"
            " ORDER BY starts_at, id")
        return [SessionRecord(r[0], r[1], from_db(r[2]), r[3], r[4], r[5])  # type: ignore[arg-type]
                for r in rows]

    async def applicants(self) -> list[Applicant]:
        """Every sign-up that is not cancelled."""
        rows = await self.db.all(
            "SELECT session_id, owner_id, status, position, attendance, registered_at, present"
            " FROM registrations WHERE status != 'cancelled' ORDER BY session_id, id")
        return [Applicant(r[0], r[1], r[2], r[3], r[4], from_db(r[5]),  # type: ignore[arg-type]
                          None if r[6] is None else bool(r[6])) for r in rows]

    async def owners_from(self, source: str) -> int:
        """How many owners arrived through the deep-link `source`."""
        row = await self.db.one("SELECT count(*) FROM owners WHERE source = ?", (source,))
        return int(row[0]) if row else 0
