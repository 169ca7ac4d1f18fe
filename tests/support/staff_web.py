"""Helpers for the staff web page's tests: the app mounted as the bot's server mounts it, a
signed-in client, and owners with answers written straight into the database."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.routing import Mount

from bot.cli import FEATURES
from bot.config import Config, load_config
from bot.core import Core
from bot.storage import Database, to_db
from handlers.staff_web import MOUNT, staff_app
from tests.support.config import STAFF_ID, write_config
from tests.support.owner import Owner
from tests.support.population import NOW

PUBLIC_URL = "https://staf.example.go.id"
LINK = re.compile(re.escape(PUBLIC_URL) + r"(/staf/masuk/[A-Za-z0-9_-]+)")
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def web_config(tmp_path: Path, extra: str = "") -> Config:
    """A test configuration with the web page's public address set."""
    return load_config(write_config(tmp_path, f'[web]\npublic_url = "{PUBLIC_URL}"\n{extra}'),
                       env={})


def mounted(core: Core) -> Starlette:
    """The staff site under /staf, as the bot's one web server mounts it."""
    return Starlette(routes=[Mount(MOUNT, app=staff_app(core))])


@asynccontextmanager
async def browser(core: Core, base_url: str = "http://testserver",
                  ) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the site in this event loop (redirects are not followed: tests see them)."""
    transport = httpx.ASGITransport(app=mounted(core))
    async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
        yield client


async def login_path(core: Core, user_id: int | str = STAFF_ID, channel: str = "telegram") -> str:
    """Send /masuk as a staff member through the core; the path of the link in the reply."""
    staff = Owner(core, str(user_id), channel=channel)
    await staff.say("/masuk")
    match = LINK.search(staff.text())
    assert match, staff.text()
    return match.group(1)


async def sign_in(client: httpx.AsyncClient, core: Core, user_id: int | str = STAFF_ID) -> str:
    """Sign in with a fresh /masuk link; the session's CSRF token."""
    path = await login_path(core, user_id)
    answer = await client.post(path)
    assert answer.status_code == 303, answer.text
    overview = await client.get("/staf/")
    assert overview.status_code == 200
    return csrf_of(overview.text)


def csrf_of(html: str) -> str:
    """The CSRF token in a page's forms."""
    match = CSRF.search(html)
    assert match, "no form with a CSRF token"
    return match.group(1)


async def add_applicant(db: Database, number: int, *, name: str, business: str,
                        product: str = "batik", kecamatan: str | None = "barat",
                        readiness: int | None = 60, eligible: bool | None = True,
                        phone: str = "", source: str | None = None, channel: str = "telegram",
                        parts: dict[str, int] | None = None) -> int:
    """An owner who answered the questionnaire (finished unless eligible is None)."""
    answers = {"name": name, "business_name": business, "product_type": product,
               "has_nib": "yes", "nib": "9120001234567", "own_production": "own",
               "quality": ["pirt", "halal"], "steady": "steady", "packaging": "basic",
               "capacity": {"amount": 20, "unit": "kodi", "base": 400, "class": "pieces"},
               "ktp_city": "yes" if kecamatan else "no", "export_experience": "none"}
    if kecamatan:
        answers["kecamatan"] = kecamatan
    if phone:
        answers["phone"] = phone
    finished = eligible is not None
    result = {"unmet": [] if eligible else ["quality"], "parts": parts or {
        "kualitas": 20, "kuantitas": 10, "kontinuitas": 20, "kemasan": 10, "administrasi": 0}}
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO owners (channel, external_id, chat_id, language, source, started_at,"
            " last_seen_at, consent_at, consent_version, consent_language, finished_at,"
            " eligible, readiness, result) VALUES (?, ?, ?, 'id', ?, ?, ?, ?, '2026-11', 'id',"
            " ?, ?, ?, ?)",
            (channel, str(number), str(number), source, to_db(NOW), to_db(NOW), to_db(NOW),
             to_db(NOW) if finished else None, None if eligible is None else int(eligible),
             readiness if finished else None, json.dumps(result) if finished else None))
        owner_id = int(cursor.lastrowid or 0)
        await conn.executemany(
            "INSERT INTO answers (owner_id, question_id, value, answered_at) VALUES (?, ?, ?, ?)",
            [(owner_id, key, json.dumps(value, ensure_ascii=False), to_db(NOW))
             for key, value in answers.items()])
    return owner_id


@asynccontextmanager
async def web_core(tmp_path: Path, clock, extra: str = "") -> AsyncIterator[Core]:
    """A core whose configuration has the web page's address, on a fresh database."""
    from bot.i18n import Catalogs

    config = web_config(tmp_path, extra)
    db = await Database.open(config.database)
    try:
        yield Core(config, db, Catalogs(config.time_zone), FEATURES, clock=clock)
    finally:
        await db.close()
