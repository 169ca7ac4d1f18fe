"""The staff web page's sessions: create, edit, move, close or reopen sign-up, cancel; who signed
up; a seat for someone waiting; seats to the most ready after a preview; who came, on the day.

Through Starlette's client over the same core the chat uses; every action is audited under the
web staff member and refused without its form token.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from bot.actions import seats
from tests.support.config import STAFF_ID
from tests.support.sessionkit import START, eligible, outbox, session
from tests.support.staff_web import browser, sign_in, web_core


@pytest.fixture
async def core(tmp_path, clock):
    async with web_core(tmp_path, clock) as core:
        yield core


async def actions(core) -> list[tuple[str, str, int | None]]:
    return [(e.actor, e.action, e.audience) for e in reversed(await core.db.staff.audit_entries())
            if not e.action.startswith("web.")]


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


async def full(core, clock):
    """Two seats: Ani (60, confirmed) and Budi (95) hold them; Citra (99), Dewi (70) wait."""
    s = await session(core.db, clock(), capacity=2)
    ids = {}
    for user, name, score in ((1001, "Ani Lestari", 60), (1002, "Budi Santoso", 95),
                              (1003, "Citra Dewi", 99), (1004, "Dewi <Sartika>", 70)):
        ids[name[0]] = await eligible(core.db, user, clock(), name=name, readiness=score)
        await core.db.registrations.register(s.id, ids[name[0]], clock())
    await core.db.registrations.attend(s.id, ids["A"], "confirmed", clock())
    return s, ids


async def test_a_session_is_created_with_the_chats_checks(core, clock):
    async with browser(core) as client:
        csrf = await sign_in(client, core)
        bad = await client.post("/staf/sesi", data={
            "csrf": csrf, "title": "x", "starts_at": "2027-08-01T09:00", "place": "Aula",
            "capacity": "0"})
        assert bad.status_code == 400
        shown = text_of(bad.text)
        assert "Sudah lewat" in shown or "sudah lewat" in shown  # the chat's own reasons
        assert "1 sampai 10.000" in shown
        assert 'value="x"' in bad.text  # what was typed stays in the form
        assert await core.db.sessions.active() == []
        made = await client.post("/staf/sesi", data={
            "csrf": csrf, "title": "Pelatihan <Ekspor> Oktober", "starts_at": "2027-10-06T09:00",
            "place": "Aula Dindagkop-UKM", "capacity": "30"})
        assert made.status_code == 303
        page = await client.get(made.headers["location"])
    (created,) = await core.db.sessions.active()
    assert (created.title, created.starts_at, created.capacity) == (
        "Pelatihan <Ekspor> Oktober", START, 30)
    assert "Pelatihan &lt;Ekspor&gt; Oktober" in page.text and "<Ekspor>" not in page.text
    assert "Sesi sudah dibuat" in page.text
    assert await actions(core) == [(str(STAFF_ID), "session.create", None)]


async def test_a_session_is_edited_moved_closed_reopened_and_cancelled(core, clock):
    s, ids = await full(core, clock)
    async with browser(core) as client:
        csrf = await sign_in(client, core)
        page = text_of((await client.get(f"/staf/sesi/{s.id}")).text)
        assert "Terdaftar (2)" in page and "Daftar tunggu (2)" in page
        assert page.index("Citra Dewi") < page.index("Dewi <Sartika>")  # most ready first
        await client.post(f"/staf/sesi/{s.id}/ubah", data={
            "csrf": csrf, "title": s.title, "place": s.place, "capacity": "3"})
        assert (await core.db.registrations.get(s.id, ids["C"])).status == "registered"
        ask = await client.post(f"/staf/sesi/{s.id}/pindah", data={
            "csrf": csrf, "starts_at": "2027-10-08T13:00"})
        assert "4 pelaku usaha (terdaftar atau menunggu) akan diberi tahu" in text_of(ask.text)
        assert (await core.db.sessions.get(s.id)).starts_at == START  # not before "yes"
        moved = await client.post(f"/staf/sesi/{s.id}/pindah", data={
            "csrf": csrf, "starts_at": "2027-10-08T13:00", "yakin": "1"})
        assert "jumlah=4" in moved.headers["location"]
        assert (await core.db.sessions.get(s.id)).starts_at == START + timedelta(days=2, hours=4)
        await client.post(f"/staf/sesi/{s.id}/tutup", data={"csrf": csrf})
        assert (await core.db.sessions.get(s.id)).status == "closed"
        await client.post(f"/staf/sesi/{s.id}/buka", data={"csrf": csrf})
        assert (await core.db.sessions.get(s.id)).status == "full"  # three seats, three taken
        confirm = text_of((await client.get(f"/staf/sesi/{s.id}/batal")).text)
        assert "4 pelaku usaha (terdaftar atau menunggu) akan diberi tahu" in confirm
        done = await client.post(f"/staf/sesi/{s.id}/batal", data={"csrf": csrf})
        said = text_of((await client.get(done.headers["location"])).text)
        assert "Sesi dibatalkan. 4 pelaku usaha akan diberi tahu." in said
        again = await client.post(f"/staf/sesi/{s.id}/batal", data={"csrf": csrf})
        assert "selesai=inactive" in again.headers["location"]
        refused = await client.post(f"/staf/sesi/{s.id}/ubah", data={
            "title": "Forged", "place": "x", "capacity": "9"})
        assert refused.status_code == 403
    assert (await core.db.sessions.get(s.id)).title == s.title
    assert sorted(k for _o, k, _r, _s in await outbox(core.db)) == [
        "seat", *["session_cancelled"] * 4, *["session_moved"] * 4]
    assert await actions(core) == [
        (str(STAFF_ID), "session.edit", 1), (str(STAFF_ID), "session.move", 4),
        (str(STAFF_ID), "session.close", None), (str(STAFF_ID), "session.reopen", None),
        (str(STAFF_ID), "session.cancel", 4)]


async def test_a_waiting_owner_gets_a_seat_free_or_someone_elses(core, clock):
    s, ids = await full(core, clock)
    async with browser(core) as client:
        csrf = await sign_in(client, core)
        full_now = await client.post(f"/staf/sesi/{s.id}/kursi", data={
            "csrf": csrf, "chosen": ids["C"]})
        assert full_now.headers["location"] == f"/staf/sesi/{s.id}/kursi/{ids['C']}"
        whose = text_of((await client.get(full_now.headers["location"])).text)
        assert whose.index("Ani Lestari") < whose.index("Budi Santoso")  # least ready first
        assert "memastikan akan hadir" in whose  # Ani confirmed: staff see it
        done = await client.post(f"/staf/sesi/{s.id}/kursi", data={
            "csrf": csrf, "chosen": ids["C"], "seated": ids["A"]})
        assert "selesai=swapped" in done.headers["location"]
        twice = await client.post(f"/staf/sesi/{s.id}/kursi", data={
            "csrf": csrf, "chosen": ids["C"], "seated": ids["A"]})
        assert "selesai=not_waiting" in twice.headers["location"]
    assert (await core.db.registrations.get(s.id, ids["C"])).status == "registered"
    assert (await core.db.registrations.get(s.id, ids["A"])).position == 1
    assert [(o, k) for o, k, _r, _s in await outbox(core.db)] == [
        (ids["C"], "seat"), (ids["A"], "seat_lost")]
    assert await actions(core) == [(str(STAFF_ID), "session.choose", 2)]


async def test_seats_go_to_the_most_ready_only_as_previewed(core, clock):
    s, ids = await full(core, clock)
    async with browser(core) as client:
        csrf = await sign_in(client, core)
        preview = (await client.get(f"/staf/sesi/{s.id}/terbaik")).text
        shown = text_of(preview)
        assert "1 pelaku usaha dari daftar tunggu mendapat kursi" in shown
        assert shown.index("Citra Dewi") < shown.index("Ani Lestari")
        fingerprint = re.search(r'name="fingerprint" value="(\d+)"', preview).group(1)
        newcomer = await eligible(core.db, 1005, clock(), name="Eko Prasetyo", readiness=100)
        await core.db.registrations.register(s.id, newcomer, clock())
        changed = await client.post(f"/staf/sesi/{s.id}/terbaik", data={
            "csrf": csrf, "fingerprint": fingerprint})
        assert changed.headers["location"] == f"/staf/sesi/{s.id}/terbaik?berubah=1"
        assert (await core.db.registrations.get(s.id, ids["A"])).status == "registered"
        again = (await client.get(changed.headers["location"])).text
        assert "Sementara itu ada perubahan pendaftaran" in again and "Eko Prasetyo" in again
        fingerprint = re.search(r'name="fingerprint" value="(\d+)"', again).group(1)
        done = await client.post(f"/staf/sesi/{s.id}/terbaik", data={
            "csrf": csrf, "fingerprint": fingerprint})
        assert "selesai=best" in done.headers["location"]
        assert "Tidak ada yang perlu diubah" in (
            await client.get(f"/staf/sesi/{s.id}/terbaik")).text
    seated = {p.owner_id for p in await seats.people(core, s.id) if p.status == "registered"}
    assert seated == {newcomer, ids["C"]}
    assert await actions(core) == [(str(STAFF_ID), "session.choose_best", 4)]


async def test_who_came_is_marked_on_a_checklist(core, clock):
    s, ids = await full(core, clock)
    async with browser(core) as client:
        csrf = await sign_in(client, core)
        early = (await client.get(f"/staf/sesi/{s.id}/hadir")).text
        assert "Kehadiran baru bisa dicatat mulai sehari sebelum pelatihan" in early
        assert 'name="present"' not in early
        refused = await client.post(f"/staf/sesi/{s.id}/hadir", data={
            "csrf": csrf, "owner": ids["B"], "present": "1"})
        assert "selesai=not_yet" in refused.headers["location"]
        clock.now = START - timedelta(hours=2)  # the morning of the session
        csrf = await sign_in(client, core)
        marked = await client.post(f"/staf/sesi/{s.id}/hadir", data={
            "csrf": csrf, "owner": ids["B"], "present": "1"})
        assert marked.headers["location"] == f"/staf/sesi/{s.id}/hadir#o{ids['B']}"
        listed = (await client.get(f"/staf/sesi/{s.id}/hadir")).text
        assert f'id="o{ids["B"]}" class="came"' in listed
        assert "Hadir: 1 · tidak hadir: 0 · belum dicatat: 1 (dari 2 peserta terdaftar)" in listed
        waiting = await client.post(f"/staf/sesi/{s.id}/hadir", data={
            "csrf": csrf, "owner": ids["C"], "present": "1"})
        assert "selesai=not_registered" in waiting.headers["location"]
        await client.post(f"/staf/sesi/{s.id}/hadir", data={"csrf": csrf, "rest": "1"})
        listed = (await client.get(f"/staf/sesi/{s.id}/hadir")).text
        assert "Hadir: 1 · tidak hadir: 1 · belum dicatat: 0" in listed
        assert "Sisanya tidak hadir" not in listed
    assert (await core.db.registrations.get(s.id, ids["A"])).present is False
    assert (await core.db.registrations.get(s.id, ids["C"])).present is None
    assert await actions(core) == [(str(STAFF_ID), "session.present", 1),
                                   (str(STAFF_ID), "session.attendance", 1)]
