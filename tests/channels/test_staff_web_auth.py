"""The staff web page's sign-in: /masuk links, sessions, CSRF, rate limit, security headers."""

from __future__ import annotations

import dataclasses
import logging
import re

import pytest

from bot.features.web_login import LINKS_PER_WINDOW, token_hash
from bot.logs import NOISY_LIBRARIES
from tests.support.config import STAFF_ID
from tests.support.owner import Owner
from tests.support.staff_web import (
    PUBLIC_URL,
    add_applicant,
    browser,
    login_path,
    sign_in,
    web_core,
)

PAGES = ("/staf/", "/staf/pendaftar", "/staf/pendaftar/1", "/staf/unduh", "/staf/unduh/umkm.csv",
         "/staf/unduh/umkm.xlsx", "/staf/audit", "/staf/sesi", "/staf/sesi/1",
         "/staf/sesi/1/terbaik", "/staf/sesi/1/hadir", "/staf/sesi/1/batal",
         "/staf/sesi/1/kursi/1", "/staf/pengumuman", "/staf/pengumuman/baru",
         "/staf/pengumuman/1", "/staf/media/1", "/staf/minat", "/staf/minat/2027/undang")
FORMS = ("/staf/keluar", "/staf/bahasa", "/staf/pendaftar/cari", "/staf/sesi", "/staf/sesi/1/ubah",
         "/staf/sesi/1/pindah", "/staf/sesi/1/tutup", "/staf/sesi/1/buka", "/staf/sesi/1/batal",
         "/staf/sesi/1/kursi", "/staf/sesi/1/terbaik", "/staf/sesi/1/hadir",
         "/staf/pengumuman/baru", "/staf/pengumuman/pratinjau", "/staf/pengumuman/kirim",
         "/staf/pengumuman/1/batal", "/staf/pengumuman/1/henti", "/staf/minat/2027/buka",
         "/staf/minat/2027/tutup", "/staf/minat/2027/undang")


@pytest.fixture
async def core(tmp_path, clock):
    async with web_core(tmp_path, clock) as core:
        yield core


async def audit_actions(core) -> list[tuple[str, str, str]]:
    return [(e.channel, e.actor, e.action) for e in await core.db.staff.audit_entries(50)]


async def test_a_staff_member_signs_in_with_the_link_masuk_sends(core):
    path = await login_path(core)
    token = path.rsplit("/", 1)[1]
    assert len(token) >= 40
    stored = [r[0] for r in await core.db.all("SELECT token_hash FROM web_links")]
    assert stored == [token_hash(token)]  # the token itself is nowhere in the database
    async with browser(core) as client:
        shown = await client.get(path)
        assert shown.status_code == 200 and 'method="post"' in shown.text
        signed = await client.post(path)
        assert signed.status_code == 303 and signed.headers["location"] == "/staf/"
        cookie = signed.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/staf" in cookie
        assert "Secure" not in cookie  # plain http: a Secure cookie would never come back
        overview = await client.get("/staf/")
        assert overview.status_code == 200 and "Ringkasan" in overview.text
    assert ("telegram", str(STAFF_ID), "web.login") in await audit_actions(core)


async def test_opening_a_link_twice_still_signs_in_once(core):
    path = await login_path(core)
    async with browser(core) as client:
        assert (await client.get(path)).status_code == 200  # a messenger's preview
        assert (await client.get(path)).status_code == 200
        assert (await client.post(path)).status_code == 303
        assert (await client.post(path)).status_code == 403
        assert (await client.get(path)).status_code == 403


async def test_used_expired_and_forged_links_get_the_same_403(core, clock):
    used, expired = await login_path(core), await login_path(core)
    async with browser(core) as client:
        assert (await client.post(used)).status_code == 303
    pages = []
    async with browser(core) as client:
        pages.append(await client.get(used))
        pages.append(await client.post(used))
        forged = "/staf/masuk/" + "A" * 43
        pages.append(await client.get(forged))
        pages.append(await client.post(forged))
        clock.advance(minutes=10, seconds=1)
        pages.append(await client.get(expired))
        pages.append(await client.post(expired))
        assert {p.status_code for p in pages} == {403}
        assert len({p.text for p in pages}) == 1  # nothing tells one case from another
        assert "set-cookie" not in {k.lower() for p in pages for k in p.headers}
        assert (await client.get("/staf/")).status_code == 303


async def test_logged_out_visitors_are_sent_to_the_sign_in_page(core):
    async with browser(core) as client:
        for path in PAGES:
            answer = await client.get(path)
            assert answer.status_code == 303 and answer.headers["location"] == "/staf/masuk"
        for path in FORMS:
            assert (await client.post(path, data={"csrf": "x"})).status_code == 403
        login = await client.get("/staf/masuk")
        assert login.status_code == 200 and "/masuk" in login.text and "csrf" not in login.text
        client.cookies.set("staf_sesi", "made-up", path="/staf")
        assert (await client.get("/staf/")).status_code == 303


async def test_only_staff_get_a_link(core):
    owner = Owner(core, "4242")
    await owner.say("/masuk")
    assert PUBLIC_URL not in owner.text() and "/staf/masuk" not in owner.text()
    assert await core.db.all("SELECT * FROM web_links") == []


async def test_without_a_public_url_masuk_says_the_page_is_not_set_up(tmp_path, clock):
    async with web_core(tmp_path, clock) as core:
        core.config = dataclasses.replace(
            core.config, web=dataclasses.replace(core.config.web, public_url=""))
        staff = Owner(core, str(STAFF_ID))
        await staff.say("/masuk")
        assert "public_url" in staff.text() and "/staf/masuk/" not in staff.text()


async def test_someone_no_longer_staff_is_refused_at_once(core):
    unused = await login_path(core)
    async with browser(core) as client:
        await sign_in(client, core)
        core.config = dataclasses.replace(core.config, staff=frozenset())
        refused = await client.get("/staf/pendaftar")
        assert refused.status_code == 403
        assert (await client.post(unused)).status_code == 403
        core.config = dataclasses.replace(core.config, staff=frozenset({STAFF_ID}))
        # The session ended when it was refused: being staff again needs a new link.
        assert (await client.get("/staf/")).status_code == 303


async def test_a_session_ends_after_eight_idle_hours(core, clock):
    async with browser(core) as client:
        await sign_in(client, core)
        clock.advance(hours=7, minutes=59)
        assert (await client.get("/staf/")).status_code == 200  # still in use: kept alive
        clock.advance(hours=7, minutes=59)
        assert (await client.get("/staf/")).status_code == 200
        clock.advance(hours=8)
        assert (await client.get("/staf/")).status_code == 303
    clock.advance(days=3)
    await login_path(core)  # a new link clears away what has long ended
    assert [r[0] for r in await core.db.all("SELECT count(*) FROM web_sessions")] == [0]
    assert [r[0] for r in await core.db.all("SELECT count(*) FROM web_links")] == [1]


async def test_logout_needs_the_csrf_token_and_is_audited(core):
    async with browser(core) as client:
        csrf = await sign_in(client, core)
        assert (await client.post("/staf/keluar")).status_code == 403
        assert (await client.post("/staf/keluar", data={"csrf": csrf[:-1] + "x"})).status_code \
            == 403
        assert (await client.get("/staf/")).status_code == 200  # nothing changed
        assert "web.logout" not in [a for _c, _u, a in await audit_actions(core)]
        out = await client.post("/staf/keluar", data={"csrf": csrf})
        assert out.status_code == 303 and out.headers["location"] == "/staf/masuk?keluar=1"
        assert (await client.get("/staf/")).status_code == 303
    assert ("telegram", str(STAFF_ID), "web.logout") in await audit_actions(core)


async def test_forms_without_their_csrf_token_change_nothing(core):
    await add_applicant(core.db, 1, name="Siti Aminah", business="Batik Aminah")
    async with browser(core) as client:
        csrf = await sign_in(client, core)
        assert (await client.post("/staf/bahasa", data={"language": "en"})).status_code == 403
        assert (await client.post("/staf/pendaftar/cari", data={"cari": "zzz"})).status_code \
            == 403
        page = await client.get("/staf/pendaftar")
        assert "Pendaftar" in page.text and "Siti Aminah" in page.text  # Indonesian, no search
        await client.post("/staf/bahasa", data={"language": "en", "csrf": csrf,
                                                 "next": "/staf/pendaftar"})
        assert "Applicants" in (await client.get("/staf/pendaftar")).text


async def test_login_links_are_limited_per_staff_member(core, clock):
    staff = Owner(core, str(STAFF_ID))
    for _ in range(LINKS_PER_WINDOW):
        await staff.say("/masuk")
        assert "/staf/masuk/" in staff.text()
    await staff.say("/masuk")
    assert "/staf/masuk/" not in staff.text() and "/masuk" in staff.text()
    other = Owner(core, "terminal-operator", channel="terminal")  # another staff identity
    await other.say("/masuk")
    assert "/staf/masuk/" in other.text()
    clock.advance(minutes=10, seconds=1)
    await staff.say("/masuk")
    assert "/staf/masuk/" in staff.text()


async def test_cookies_are_secure_behind_a_trusted_https_proxy(tmp_path, clock):
    async with web_core(tmp_path, clock, "trust_proxy = true\n") as core, browser(core) as client:
        answer = await client.post(await login_path(core), headers={"x-forwarded-proto": "https"})
        assert "Secure" in answer.headers["set-cookie"]
    (tmp_path / "untrusted").mkdir()
    async with web_core(tmp_path / "untrusted", clock) as core:
        async with browser(core) as client:
            answer = await client.post(await login_path(core),
                                       headers={"x-forwarded-proto": "https"})
            assert "Secure" not in answer.headers["set-cookie"]
        async with browser(core, "https://testserver") as client:
            answer = await client.post(await login_path(core))
            assert "Secure" in answer.headers["set-cookie"]


async def test_every_response_carries_the_security_headers(core):
    await add_applicant(core.db, 1, name="Siti Aminah", business="Batik Aminah")
    async with browser(core) as client:
        answers = [await client.get(p) for p in (*PAGES, "/staf/masuk", "/staf/masuk/bad")]
        csrf = await sign_in(client, core)
        answers += [await client.get(p) for p in (*PAGES, "/staf/static/style.css",
                                                  "/staf/static/logo.svg", "/staf/tidak-ada")]
        answers += [await client.post("/staf/keluar"),
                    await client.post("/staf/keluar", data={"csrf": csrf})]
    assert {a.status_code for a in answers} >= {200, 303, 403, 404}
    for answer in answers:
        csp = answer.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert answer.headers["x-content-type-options"] == "nosniff"


async def test_no_name_phone_or_token_in_urls_or_logs(core, caplog):
    caplog.set_level(logging.DEBUG)
    secrets_of_owners = ["Siti Aminah", "Batik Aminah", "081234567890", "Budi", "Ikan Budi",
                         "089876543210"]
    await add_applicant(core.db, 1, name="Siti Aminah", business="Batik Aminah",
                        phone="081234567890")
    await add_applicant(core.db, 2, name="Budi", business="Ikan Budi", phone="089876543210",
                        product="fish")
    urls: list[str] = []
    async with browser(core) as client:
        path = await login_path(core)
        token = path.rsplit("/", 1)[1]
        csrf = await sign_in(client, core)
        await client.post("/staf/pendaftar/cari", data={"csrf": csrf, "cari": "Siti"})
        for page in ("/staf/", "/staf/pendaftar", "/staf/pendaftar/1", "/staf/pendaftar/2",
                     "/staf/unduh", "/staf/audit", "/staf/pendaftar?urut=name&arah=naik"):
            answer = await client.get(page)
            assert answer.status_code == 200
            urls += re.findall(r'(?:href|action|src)="([^"]*)"', answer.text)
            urls.append(str(answer.url))
        assert (await client.post("/staf/keluar", data={"csrf": "forged"})).status_code == 403
        searched = await client.get("/staf/pendaftar")
        assert "Siti Aminah" in searched.text and "Ikan Budi" not in searched.text
    assert urls
    for url in urls:
        if url.startswith("data:image/svg"):
            continue  # a chart, drawn from counts
        for secret in secrets_of_owners:
            assert secret.lower() not in url.lower(), url
    # What the bot logs (bot/logs.py keeps the chatty libraries at WARNING).
    logged = "\n".join(r.getMessage() for r in caplog.records
                       if r.name.split(".")[0] not in NOISY_LIBRARIES)
    assert "CSRF" in logged  # the refused form was logged, without whose it was
    for secret in [*secrets_of_owners, token, csrf]:
        assert secret not in logged


async def test_the_pages_come_in_the_language_the_staff_member_chats_in(core):
    staff = Owner(core, str(STAFF_ID), language_code="en-GB")
    await staff.say("/login")
    assert "Sign in to the staff web page" in staff.text()
    path = re.search(r"/staf/masuk/[A-Za-z0-9_-]+", staff.text()).group(0)
    async with browser(core) as client:
        await client.post(path)
        page = (await client.get("/staf/")).text
    assert "Overview" in page and 'lang="en"' in page and "Ringkasan" not in page


async def test_no_action_is_taken_without_the_forms_token(core, clock):
    from tests.support.population import add_owners, add_session, sign_up

    owners = await add_owners(core.db, 3, eligible=True)
    session_id = await add_session(core.db, "Oktober", clock().replace(month=10), capacity=1)
    await sign_up(core.db, session_id, owners[:1])
    await sign_up(core.db, session_id, owners[1:], status="waiting")
    tables = ("sessions", "registrations", "outbox", "broadcasts", "interest_lists", "media")

    async def state() -> list:
        return [[tuple(r) for r in await core.db.all(f"SELECT * FROM {t}")] for t in tables]

    before = await state()
    async with browser(core) as client:
        csrf = await sign_in(client, core)
        forms = {"title": "Baru", "place": "Aula", "capacity": "9", "starts_at":
                 "2027-12-01T09:00", "yakin": "1", "chosen": str(owners[1]), "owner": "1",
                 "present": "1", "text": "Halo", "audience": "all", "fingerprint": "1"}
        for path in FORMS[2:]:
            for token in ({}, {"csrf": csrf[::-1]}):
                answer = await client.post(path, data={**forms, **token})
                assert answer.status_code == 403, path
    assert await state() == before
    assert [a for _c, _u, a in await audit_actions(core) if not a.startswith("web.")] == []
