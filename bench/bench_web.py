"""The staff web page at 10,000 owners: server time of the applicants page and the overview.

The site (handlers/staff_web) runs in this process over a database of 10,000 owners who
answered the questionnaire (14 answers each), 400 sign-ups and 2,000 outbox rows. Requests go
through httpx's ASGI transport as a signed-in staff member; the time measured is the server's:
from the request entering the app to its last body byte, so the client's work is not counted.

Figures (after warm-up requests, ROUNDS requests each):
- `web_applicants_p95_ms` / `_median_ms`: GET /staf/pendaftar, sorted by readiness (highest
  first), page 20 of 200 (LIMIT/OFFSET over the owners_readiness index).
- `web_applicants_filtered_p95_ms`: the same page 5, filtered by product and eligibility.
- `web_applicants_search_p95_ms`: page 1 of a name search (every name read: no index helps).
- `web_overview_p95_ms` / `_median_ms`: GET /staf/ (the funnel and its four breakdowns, five
  funnel queries and five charts; a chart is drawn again only when its numbers change).
- `web_overview_cold_p95_ms`: the same with the charts' cache emptied before every request
  (the first view after the numbers changed).
- `web_applicant_p95_ms`: one applicant's page.
- `web_session_p95_ms`: a session's page with its 30 registrants and 370 waiting.
- `web_most_ready_p95_ms`: the preview of "seats to the most ready" for that session.
- `web_checklist_p95_ms`: the attendance checklist of that session.
- `web_announce_preview_p95_ms`: POST of a composed announcement to everyone: its preview with
  the count per channel (both channels running).
- `web_announcement_p95_ms`: the page of an announcement sent to 2,000 owners (its report).
Targets (issue 14): under 150 ms for the first and the overview.
"""

from __future__ import annotations

import json
import random
import re
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.routing import Mount

from bot.cli import FEATURES
from bot.config import Config, WebConfig
from bot.core import Core
from bot.features.web_login import new_token, token_hash
from bot.i18n import Catalogs
from bot.storage import Database, to_db
from bot.storage.web import StaffId
from handlers.staff_web import MOUNT, charts, staff_app

OWNERS = 10_000
ROUNDS = 40
WARMUP = 3
STAFF_ID = 999_000_001
NOW = datetime(2027, 9, 1, 2, 0, tzinfo=UTC)
NAMES = ("Siti", "Budi", "Dewi", "Agus", "Rina", "Joko", "Sri", "Ahmad", "Nur", "Bambang")
KECAMATAN = ("barat", "timur", "utara", "selatan")


async def populate(db: Database) -> None:
    """10,000 owners with their answers and results; a session with 400 sign-ups; outbox rows."""
    rng = random.Random(14)
    owners, answers = [], []
    for n in range(OWNERS):
        finished = n % 10 != 0
        eligible = finished and rng.random() < 0.6
        owners.append(("whatsapp" if n % 3 else "telegram", str(10_000 + n), str(10_000 + n),
                       "id", rng.choice(("poster-batik", "pameran", None)), to_db(NOW),
                       to_db(NOW), to_db(NOW), "2026-11", to_db(NOW) if finished else None,
                       int(eligible) if finished else None,
                       rng.randrange(101) if finished else None,
                       json.dumps({"unmet": [], "parts": {"kualitas": 14}}) if finished else None))
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO owners (channel, external_id, chat_id, language, source, started_at,"
            " last_seen_at, consent_at, consent_version, finished_at, eligible, readiness,"
            " result) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", owners)
        for owner_id in range(1, OWNERS + 1):
            name = f"{rng.choice(NAMES)} {owner_id}"
            values: dict[str, Any] = {
                "name": name, "business_name": f"Usaha {name}",
                "product_type": rng.choice(("batik", "fish", "other")), "has_nib": "yes",
                "nib": "9120001234567", "own_production": "own", "quality": ["halal"],
                "capacity": {"amount": 20, "unit": "kodi", "base": 400, "class": "pieces"},
                "steady": "steady", "packaging": "basic", "ktp_city": "yes",
                "kecamatan": rng.choice(KECAMATAN), "export_experience": "none",
                "phone": f"0812{owner_id:08d}"}
            answers += [(owner_id, k, json.dumps(v), to_db(NOW)) for k, v in values.items()]
        await conn.executemany("INSERT INTO answers (owner_id, question_id, value, answered_at)"
                               " VALUES (?, ?, ?, ?)", answers)
        cursor = await conn.execute(
            "INSERT INTO sessions (title, starts_at, place, capacity, year, status, created_at,"
            " updated_at) VALUES ('Pelatihan Ekspor', ?, 'Aula', 30, 2027, 'full', ?, ?)",
            (to_db(NOW + timedelta(days=30)), to_db(NOW), to_db(NOW)))
        session_id = cursor.lastrowid
        await conn.executemany(
            "INSERT INTO registrations (session_id, owner_id, status, position, registered_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?)",
            [(session_id, i, "registered" if i <= 30 else "waiting", None if i <= 30 else i - 30,
              to_db(NOW), to_db(NOW)) for i in range(1, 401)])
        await conn.executemany(
            "INSERT INTO outbox (owner_id, channel, chat_id, kind, ref, payload, not_before,"
            " status, created_at) VALUES (?, 'telegram', ?, 'broadcast', '1', '{}', ?, 'sent', ?)",
            [(i, str(i), to_db(NOW), to_db(NOW)) for i in range(1, 2001)])


class Timed:
    """ASGI wrapper: how long the app took for each request, to its last body byte."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.last = 0.0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Run the request and keep its duration."""
        started = time.perf_counter()
        await self.app(scope, receive, send)
        self.last = time.perf_counter() - started


async def measure(client: httpx.AsyncClient, timed: Timed, path: str,
                  before: Any = None) -> list[float]:
    """Milliseconds of server time of ROUNDS requests of `path` (after a warm-up)."""
    times = []
    for n in range(WARMUP + ROUNDS):
        if before is not None:
            before()
        answer = await client.get(path)
        assert answer.status_code == 200, (path, answer.status_code)
        if n >= WARMUP:
            times.append(1000 * timed.last)
    return times


async def measure_post(client: httpx.AsyncClient, timed: Timed, path: str,
                       data: dict[str, str]) -> list[float]:
    """Milliseconds of server time of ROUNDS posts of a form to `path` (after a warm-up)."""
    times = []
    for n in range(WARMUP + ROUNDS):
        answer = await client.post(path, data=data)
        assert answer.status_code == 200, (path, answer.status_code)
        if n >= WARMUP:
            times.append(1000 * timed.last)
    return times


class Transport:
    """A running channel that sends nothing: counts per channel need the sender's channels."""

    def __init__(self, name: str) -> None:
        self.name = name

    async def deliver(self, chat_id: str, reply: Any) -> str | None:
        return None

    async def edit(self, chat_id: str, message_id: str, text: str, buttons: Any = ()) -> None:
        return None

    def start_link(self, payload: str) -> str | None:
        return None


def p95(values: list[float]) -> float:
    """The 95th percentile."""
    return statistics.quantiles(values, n=20)[-1]


async def run() -> list[tuple[str, float | int]]:
    """Build the database and the site; time the pages."""
    with tempfile.TemporaryDirectory() as folder:
        config = Config(path=Path(folder) / "config.toml",
                        staff=frozenset({f"telegram:{STAFF_ID}"}),  # as config.toml gives it
                        database=Path(folder) / "bench.sqlite3",
                        web=WebConfig(public_url="https://staf.example.go.id"))
        db = await Database.open(config.database)
        core = Core(config, db, Catalogs(config.time_zone), FEATURES, clock=lambda: NOW)
        await populate(db)
        await db.write("INSERT INTO broadcasts (channel, author, chat_id, language, html,"
                       " audience, status, total, created_at) VALUES ('telegram', ?, '', 'id',"
                       " 'Halo', '{\"kind\": \"all\", \"value\": \"\"}', 'done', 2000, ?)",
                       (str(STAFF_ID), to_db(NOW)))
        await core.start([Transport("telegram"), Transport("whatsapp")])
        assert core.sender is not None
        await core.sender.stop()  # nothing is sent: the pages are timed
        token = new_token()
        await db.web.start_session(token_hash(token), StaffId("telegram", str(STAFF_ID)),
                                   new_token(), "id", NOW)
        timed = Timed(Starlette(routes=[Mount(MOUNT, app=staff_app(core))]))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=timed),
                                     base_url="http://bench", cookies={"staf_sesi": token}) as c:
            page20 = await c.get("/staf/pendaftar?urut=readiness&arah=turun&hal=20")
            assert "Halaman 20 dari 200" in page20.text, (page20.status_code, page20.text[-2000:])
            assert len(re.findall(r'href="/staf/pendaftar/\d+"', page20.text)) == 50
            applicants = await measure(c, timed, "/staf/pendaftar?urut=readiness&arah=turun&hal=20")
            filtered = await measure(c, timed, "/staf/pendaftar?produk=batik&kelayakan=eligible"
                                               "&hal=5")
            csrf = re.search(r'name="csrf" value="([^"]+)"', page20.text).group(1)  # type: ignore[union-attr]
            await c.post("/staf/pendaftar/cari", data={"csrf": csrf, "cari": "Siti 12"})
            search = await measure(c, timed, "/staf/pendaftar")
            await c.post("/staf/pendaftar/cari", data={"csrf": csrf, "hapus": "1"})
            overview = await measure(c, timed, "/staf/")

            def forget_charts() -> None:
                charts.funnel_chart.cache_clear()
                charts.breakdown_chart.cache_clear()

            cold = await measure(c, timed, "/staf/", forget_charts)
            applicant = await measure(c, timed, "/staf/pendaftar/4321")
            session = await measure(c, timed, "/staf/sesi/1")
            most_ready = await measure(c, timed, "/staf/sesi/1/terbaik")
            checklist = await measure(c, timed, "/staf/sesi/1/hadir")
            preview = await measure_post(c, timed, "/staf/pengumuman/pratinjau", {
                "csrf": csrf, "text": "*Pelatihan ekspor* dibuka", "audience": "all"})
            announcement = await measure(c, timed, "/staf/pengumuman/1")
        await core.stop()
        await db.close()
    return [
        ("web_applicants_p95_ms", p95(applicants)),
        ("web_applicants_median_ms", statistics.median(applicants)),
        ("web_applicants_filtered_p95_ms", p95(filtered)),
        ("web_applicants_search_p95_ms", p95(search)),
        ("web_overview_p95_ms", p95(overview)),
        ("web_overview_median_ms", statistics.median(overview)),
        ("web_overview_cold_p95_ms", p95(cold)),
        ("web_applicant_p95_ms", p95(applicant)),
        ("web_session_p95_ms", p95(session)),
        ("web_most_ready_p95_ms", p95(most_ready)),
        ("web_checklist_p95_ms", p95(checklist)),
        ("web_announce_preview_p95_ms", p95(preview)),
        ("web_announcement_p95_ms", p95(announcement)),
    ]
