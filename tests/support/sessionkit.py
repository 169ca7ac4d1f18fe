"""Helpers for session, sign-up and reminder tests: ready-made owners and sessions, the outbox."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.channel import Reply
from bot.core import Core
from bot.storage import Database
from bot.storage.sessions import Session

START = datetime(2027, 10, 6, 2, 0, tzinfo=UTC)  # Rabu, 6 Oktober 2027 pukul 09.00 WIB


async def eligible(db: Database, user_id: int | str, now: datetime, *, language: str = "en",
                   eligible: bool = True, readiness: int = 80, name: str = "Budi Santoso",
                   unmet: tuple[str, ...] = (), channel: str = "telegram") -> int:
    """An owner who agreed and submitted the questionnaire (eligible unless told otherwise)."""
    owner = await db.owners.create(channel, str(user_id), str(user_id), language, None, now)
    await db.owners.consent(owner.id, "2026-11", language, now)
    answers = {"name": name, "business_name": f"Usaha {name.split()[0]}", "has_nib": "no",
               "product_type": "batik"}
    await db.owners.save_step(owner.id, answers, (), None, (), None, now)
    await db.owners.finish(owner.id, eligible, readiness,
                           {"unmet": list(unmet), "parts": {}}, now)
    return owner.id


async def session(db: Database, now: datetime, *, capacity: int = 30, starts_at=START,
                  title: str = "Pelatihan Ekspor Oktober 2027") -> Session:
    """A session open for sign-up."""
    return await db.sessions.create(title, starts_at, "Aula Dindagkop-UKM", capacity,
                                    starts_at.year, now)


async def outbox(db: Database, kind: str | None = None) -> list[tuple[int, str, str, str]]:
    """(owner id, kind, ref, status) of every outbox row, oldest first."""
    rows = await db.all("SELECT owner_id, kind, ref, status FROM outbox ORDER BY id")
    return [tuple(r) for r in rows if kind is None or r[1] == kind]


async def deliver(core: Core) -> list[tuple[int | None, Reply | None]]:
    """Claim every due outbox row and render it as the sender would: (owner id, message)."""
    items = await core.db.outbox.claim(["telegram", "terminal"], core.clock(), 1000)
    rendered = []
    for item in items:
        rendered.append((item.owner_id, await core._render(item)))
    return rendered
