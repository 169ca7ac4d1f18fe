"""Each action on the staff web page changes exactly what the same action in the chat changes.

Two databases are filled alike; on one a staff member does an action in the chat (through the
core, as Telegram would deliver it), on the other the same staff member does it on the web page.
Then every row the actions touch is compared: sessions, sign-ups, the notices queued to owners,
announcements, interest lists, and the audit log (the same identity, action, details and reach).
What may differ is named: the chat's own conversation state and sign-in rows, and where the
progress of an announcement is reported (the chat's message, or the web page).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from tests.support.clock import Clock
from tests.support.config import STAFF_ID
from tests.support.owner import Owner
from tests.support.population import add_interest
from tests.support.sessionkit import START, eligible, session
from tests.support.staff_web import browser, sign_in, web_core

TABLES = {
    "sessions": "SELECT * FROM sessions ORDER BY id",
    "registrations": "SELECT * FROM registrations ORDER BY session_id, owner_id",
    "outbox": "SELECT owner_id, channel, chat_id, kind, ref, payload, status, priority,"
              " not_before FROM outbox ORDER BY id",
    # chat_id and status_message: where progress is reported; form_key: the web form's.
    "broadcasts": "SELECT id, channel, author, language, html, file_ref, file_kind, audience,"
                  " status, scheduled_for, total, started_at, finished_at, media_id"
                  " FROM broadcasts ORDER BY id",
    "interest_lists": "SELECT * FROM interest_lists ORDER BY year",
    "interest": "SELECT * FROM interest ORDER BY year, owner_id",
    "audit_log": "SELECT at, channel, actor, action, detail, audience FROM audit_log"
                 " WHERE action NOT LIKE 'web.%' ORDER BY id",
}
Web = Callable[[httpx.AsyncClient, str], Awaitable[None]]


class Transport:
    """A running channel for both cores (announcements count only reachable owners)."""

    name = "telegram"

    async def deliver(self, chat_id, reply):
        return "1"

    async def edit(self, chat_id, message_id, text, buttons=()):
        return None

    def start_link(self, payload):
        return None


async def populate(core) -> None:
    """A session with two seats, both taken, two waiting; an interest list last year."""
    now = core.clock()
    s = await session(core.db, now, capacity=2)
    for user, name, score in ((1001, "Ani Lestari", 60), (1002, "Budi Santoso", 95),
                              (1003, "Citra Dewi", 99), (1004, "Dewi Sartika", 70)):
        owner = await eligible(core.db, user, now, name=name, readiness=score)
        await core.db.registrations.register(s.id, owner, now)
    await core.db.registrations.attend(s.id, 1, "confirmed", now)
    await eligible(core.db, 1005, now, name="Eko Prasetyo", eligible=False, readiness=30)
    await add_interest(core.db, 2026, [2])


async def rows(core) -> dict[str, list[tuple]]:
    return {table: [tuple(r) for r in await core.db.all(sql)] for table, sql in TABLES.items()}


async def both(tmp_path: Path, chat: Callable[[Owner], Awaitable[None]], web: Web,
               clock: Clock | None = None) -> tuple[dict, dict]:
    """Run `chat` on one database and `web` on another; their rows after."""
    clock = clock or Clock()
    found = []
    for side in ("chat", "web"):
        folder = tmp_path / side
        folder.mkdir()
        async with web_core(folder, clock) as core:
            await populate(core)
            await core.start([Transport()])
            await core.sender.stop()  # nothing is sent: the outbox is compared
            try:
                if side == "chat":
                    await chat(Owner(core, str(STAFF_ID), language_code="id"))
                else:
                    async with browser(core) as client:
                        await web(client, await sign_in(client, core))
            finally:
                await core.stop()
            found.append(await rows(core))
    return found[0], found[1]


def changed(before: dict, after: dict) -> set[str]:
    return {table for table in TABLES if before[table] != after[table]}


async def say_all(staff: Owner, *steps: str) -> None:
    """Press button data (what the router answers) or type text, in order."""
    for step in steps:
        if " " not in step and staff.core.router.button_for(step) is not None:
            await staff.press(step)
        else:
            await staff.say(step)


def posting(path: str, **data: str) -> Web:
    async def web(client: httpx.AsyncClient, csrf: str) -> None:
        answer = await client.post(path, data={"csrf": csrf, **data})
        assert answer.status_code == 303, answer.text
    return web


CASES = {
    "create a session": (
        ("newsession", "Pelatihan Ekspor Maret 2028", "1/3/2028 09.00", "Aula Batik",
         "sessionreply:25", "sessionreply:yes"),
        posting("/staf/sesi", title="Pelatihan Ekspor Maret 2028", starts_at="2028-03-01T09:00",
                place="Aula Batik", capacity="25"),
        {"sessions", "audit_log"}),
    "more seats move the waiting list up": (
        ("sessionfield:1:capacity", "3", "ya"),
        posting("/staf/sesi/1/ubah", title="Pelatihan Ekspor Oktober 2027",
                place="Aula Dindagkop-UKM", capacity="3"),
        {"sessions", "registrations", "outbox", "audit_log"}),
    "move a session": (
        ("session:move:1", "8/10/2027 13.00", "sessionreply:yes"),
        posting("/staf/sesi/1/pindah", starts_at="2027-10-08T13:00", yakin="1"),
        {"sessions", "registrations", "outbox", "audit_log"}),
    "close sign-up": (("session:close:1", "sessionreply:yes"), posting("/staf/sesi/1/tutup"),
                      {"sessions", "audit_log"}),
    "cancel a session": (("session:cancel:1", "sessionreply:yes"), posting("/staf/sesi/1/batal"),
                         {"sessions", "outbox", "audit_log"}),
    "give a waiting owner someone's seat": (
        ("seatgive:1:3:1",), posting("/staf/sesi/1/kursi", chosen="3", seated="1"),
        {"registrations", "outbox", "audit_log"}),
    "open an interest list": (("intlist:open:2027", "intlistreply:yes"),
                              posting("/staf/minat/2027/buka"), {"interest_lists", "audit_log"}),
    "send an announcement": (
        ("/umumkan", "Pelatihan ekspor dibuka", "audience:eligible", "send:now"),
        posting("/staf/pengumuman/kirim", text="Pelatihan ekspor dibuka", audience="eligible",
                form_key="k"),
        {"broadcasts", "outbox", "audit_log"}),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_the_web_changes_what_the_chat_changes(tmp_path, case):
    chat_steps, web, touched = CASES[case]
    untouched_folder = tmp_path / "before"
    untouched_folder.mkdir()
    async with web_core(untouched_folder, Clock()) as core:
        await populate(core)
        before = await rows(core)
    by_chat, by_web = await both(tmp_path, lambda staff: say_all(staff, *chat_steps), web)
    assert changed(before, by_chat) == touched  # the chat did the action …
    assert by_web == by_chat  # … and the web page did exactly the same


async def test_reopening_and_seats_to_the_most_ready_are_the_same(tmp_path):
    async def chat(staff: Owner) -> None:
        await say_all(staff, "session:close:1", "sessionreply:yes", "session:reopen:1",
                      "sessionreply:yes", "seats:best:1")
        await staff.tap("Berikan kursi")

    async def web(client: httpx.AsyncClient, csrf: str) -> None:
        await posting("/staf/sesi/1/tutup")(client, csrf)
        await posting("/staf/sesi/1/buka")(client, csrf)
        page = (await client.get("/staf/sesi/1/terbaik")).text
        fingerprint = re.search(r'name="fingerprint" value="(\d+)"', page).group(1)
        await posting("/staf/sesi/1/terbaik", fingerprint=fingerprint)(client, csrf)

    by_chat, by_web = await both(tmp_path, chat, web)
    assert [a[3] for a in by_chat["audit_log"]] == ["session.close", "session.reopen",
                                                    "session.choose_best"]
    assert by_web == by_chat


async def test_marking_who_came_is_the_same(tmp_path):
    clock = Clock(START - timedelta(hours=3))

    async def chat(staff: Owner) -> None:
        await say_all(staff, "rollmark:1:2:1:0", "rollrest:1")

    async def web(client: httpx.AsyncClient, csrf: str) -> None:
        await posting("/staf/sesi/1/hadir", owner="2", present="1")(client, csrf)
        await posting("/staf/sesi/1/hadir", rest="1")(client, csrf)

    by_chat, by_web = await both(tmp_path, chat, web, clock)
    assert [r[-1] for r in by_chat["registrations"] if r[3] == "registered"] == [0, 1]
    assert by_web == by_chat


async def test_inviting_to_an_interest_list_is_the_same(tmp_path):
    async def chat(staff: Owner) -> None:
        await say_all(staff, "intlist:open:2027", "intlistreply:yes", "intlist:invite:2027",
                      "intlistreply:yes")

    async def web(client: httpx.AsyncClient, csrf: str) -> None:
        await posting("/staf/minat/2027/buka")(client, csrf)
        await posting("/staf/minat/2027/undang")(client, csrf)

    by_chat, by_web = await both(tmp_path, chat, web)
    assert sorted(r[3] for r in by_chat["outbox"]) == ["invitation", "invitation"]
    assert by_web == by_chat


async def test_scheduling_and_cancelling_an_announcement_is_the_same(tmp_path):
    async def chat(staff: Owner) -> None:
        await say_all(staff, "/umumkan", "Sosialisasi besok", "audience:all", "send:later",
                      "2027-09-02 09:00", "bccancel:1")

    async def web(client: httpx.AsyncClient, csrf: str) -> None:
        await posting("/staf/pengumuman/kirim", text="Sosialisasi besok", audience="all",
                      later="1", when="2027-09-02T09:00", form_key="k")(client, csrf)
        await posting("/staf/pengumuman/1/batal")(client, csrf)

    by_chat, by_web = await both(tmp_path, chat, web)
    assert [a[3] for a in by_chat["audit_log"]] == ["broadcast.schedule", "broadcast.cancel"]
    assert by_web == by_chat
