"""Read-only queries of the staff web page's applicants table and an applicant's page.

Filters and sorts are chosen from fixed lists (never SQL from a request). The "reached" filter
uses the funnel's own stage definitions (`reports.REACHED`), so a filtered count is the same
number as the funnel's. Paging is LIMIT/OFFSET over indexed sorts: at 10,000 owners sorted by
readiness a page is read by walking `owners_readiness` (see bench/bench_web.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from bot.storage import from_db
from bot.storage.reports import REACHED, STAGES

if TYPE_CHECKING:
    from bot.storage import Database
    from bot.storage.columns import Columns

PAGE_SIZE = 50


# The furthest stage of the funnel an owner reached (eligible owners who went no further show
# as eligible; owners who finished and are not eligible as finished).
_STAGE = "CASE " + " ".join(
    f"WHEN {REACHED[stage]} THEN '{stage}'" for stage in reversed(STAGES) if stage != "started"
) + " ELSE 'started' END"
# Sort keys: (expression, whether its natural order is highest first). Ties go by owner id.
# An answer's expression names the column (a field of `Columns`) it reads.
SORTS = {
    "readiness": ("o.readiness", True),
    "name": ("{name} COLLATE NOCASE", False),
    "business": ("{business} COLLATE NOCASE", False),
    "product": ("{product}", False),
    "kecamatan": ("{kecamatan}", False),
    "source": ("o.source", False),
    "channel": ("o.channel", False),
    "started": ("o.started_at", True),
    "id": ("o.id", False),
}
ELIGIBILITY = ("eligible", "not_eligible", "unfinished")


@dataclass(frozen=True)
class Filters:
    """What the table shows; empty values do not filter."""

    eligibility: str = ""  # one of ELIGIBILITY
    product: str = ""  # an option value of product_type
    kecamatan: str = ""  # an option value of kecamatan
    readiness_min: int | None = None
    source: str = ""  # a deep-link source, or "-" for none
    channel: str = ""
    reached: str = ""  # a funnel stage (STAGES)
    search: str = ""  # part of the name or the business name


@dataclass(frozen=True)
class Row:
    """One owner in the table."""

    id: int
    name: str
    business: str
    product: str | None
    kecamatan: str | None
    readiness: int | None
    eligible: bool | None
    source: str | None
    channel: str
    stage: str
    started_at: datetime


@dataclass(frozen=True)
class Page:
    """One page of the table."""

    rows: tuple[Row, ...]
    total: int  # owners matching the filters
    page: int  # 1-based
    pages: int


@dataclass(frozen=True)
class Sent:
    """One message the bot sent (or meant to send) an owner on its own: an outbox row."""

    kind: str
    ref: str
    status: str
    payload: Mapping[str, Any]
    created_at: datetime
    sent_at: datetime | None
    error: str | None


@cache
def _answers(columns: Columns) -> dict[str, str]:
    """The SQL of each column's answer of the owner `o`, by field name."""
    return {field: columns.answer(question) for field, question in asdict(columns).items()}


def _where(filters: Filters, columns: Columns) -> tuple[str, list[Any]]:
    clauses, params = ["1"], []
    if filters.eligibility == "eligible":
        clauses.append("o.eligible = 1")
    elif filters.eligibility == "not_eligible":
        clauses.append("o.eligible = 0")
    elif filters.eligibility == "unfinished":
        clauses.append("o.finished_at IS NULL")
    for question_id, value in ((columns.product, filters.product),
                               (columns.kecamatan, filters.kecamatan)):
        if value:
            clauses.append("EXISTS (SELECT 1 FROM answers a WHERE a.owner_id = o.id"
                           " AND a.question_id = ? AND a.value = ?)")
            params += [question_id, json.dumps(value)]
    if filters.readiness_min is not None:
        clauses.append("o.readiness >= ?")
        params.append(filters.readiness_min)
    if filters.source == "-":
        clauses.append("o.source IS NULL")
    elif filters.source:
        clauses.append("o.source = ?")
        params.append(filters.source)
    if filters.channel:
        clauses.append("o.channel = ?")
        params.append(filters.channel)
    if filters.reached in REACHED:
        clauses.append(REACHED[filters.reached])
    search = filters.search.strip()
    if search:
        # Matched against the stored JSON text (the search term encoded the same way), which
        # spares a json_extract per answer: the search reads every name and business name.
        encoded = json.dumps(search, ensure_ascii=False)[1:-1]
        pattern = "%" + re.sub(r"([\\%_])", r"\\\1", encoded) + "%"
        clauses.append("EXISTS (SELECT 1 FROM answers a WHERE a.owner_id = o.id AND"
                       " a.question_id IN (?, ?) AND a.value LIKE ? ESCAPE '\\')")
        params += [columns.name, columns.business, pattern]
    return " AND ".join(clauses), params


class Applicants:
    """Named queries for the applicants table and an applicant's page."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def page(self, filters: Filters, sort: str = "readiness", descending: bool = True,
                   page: int = 1, size: int = PAGE_SIZE) -> Page:
        """One page of the owners matching `filters`, in the order asked for."""
        columns = self.db.columns
        answers = _answers(columns)
        where, params = _where(filters, columns)
        row = await self.db.one(f"SELECT count(*) FROM owners o WHERE {where}", params)
        total = int(row[0]) if row else 0
        pages = max(1, -(-total // size))
        page = min(max(1, page), pages)
        expression, _highest_first = SORTS.get(sort, SORTS["readiness"])
        expression = expression.format(**answers)
        direction = "DESC" if descending else "ASC"
        # Equal values: the earliest owner first when highest first (as the indexes run).
        ties = "ASC" if descending else "DESC"
        rows = await self.db.all(
            f"SELECT o.id, {answers['name']}, {answers['business']}, {answers['product']},"
            f" {answers['kecamatan']}, o.readiness,"
            f" o.eligible, o.source, o.channel, {_STAGE}, o.started_at FROM owners o"
            f" WHERE {where} ORDER BY {expression} {direction}, o.id {ties}"
            " LIMIT ? OFFSET ?", [*params, size, (page - 1) * size])
        return Page(tuple(
            Row(id=r[0], name=str(r[1] or ""), business=str(r[2] or ""), product=r[3],
                kecamatan=r[4], readiness=r[5], eligible=None if r[6] is None else bool(r[6]),
                source=r[7], channel=r[8], stage=r[9],
                started_at=from_db(r[10]))  # type: ignore[arg-type]
            for r in rows), total, page, pages)

    async def sources(self) -> list[str]:
        """Every deep-link source owners came from, by name."""
        rows = await self.db.all(
            "SELECT DISTINCT source FROM owners WHERE source IS NOT NULL ORDER BY source")
        return [r[0] for r in rows]

    async def channels(self) -> list[str]:
        """Every channel owners wrote on."""
        rows = await self.db.all("SELECT DISTINCT channel FROM owners ORDER BY channel")
        return [r[0] for r in rows]

    async def sent(self, owner_id: int, limit: int = 100) -> list[Sent]:
        """What the bot sent the owner on its own (reminders, notices, announcements), newest
        first."""
        rows = await self.db.all(
            "SELECT kind, ref, status, payload, created_at, sent_at, last_error FROM outbox"
            " WHERE owner_id = ? ORDER BY id DESC LIMIT ?", (owner_id, limit))
        return [Sent(r[0], r[1], r[2], json.loads(r[3]), from_db(r[4]),  # type: ignore[arg-type]
                     from_db(r[5]), r[6]) for r in rows]

    async def names(self, owner_ids: list[int]) -> dict[int, str]:
        """The names owners gave (for the audit log), by id; owners without one are left out."""
        if not owner_ids:
            return {}
        marks = ", ".join("?" * len(owner_ids))
        rows = await self.db.all(
            "SELECT owner_id, json_extract(value, '$') FROM answers WHERE question_id = ?"
            f" AND owner_id IN ({marks})", [self.db.columns.name, *owner_ids])
        return {r[0]: str(r[1]) for r in rows}
