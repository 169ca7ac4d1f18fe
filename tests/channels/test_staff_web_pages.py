"""The staff web page's reading pages: overview, applicants, one applicant, downloads, audit.

Each is checked against what the chat's staff tools show from the same data (/rekap, /ekspor,
/datasaya's answer format), so a number or an answer cannot differ between the two.
"""

from __future__ import annotations

import html
import io
import re
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from bot.channel import Reply
from bot.storage.reports import STAGES
from tests.support.config import STAFF_ID
from tests.support.owner import Owner
from tests.support.population import add_session, sign_up
from tests.support.staff_web import add_applicant, browser, sign_in, web_core

SESSION_START = datetime(2027, 10, 6, 2, 0, tzinfo=UTC)
FUNNEL_ROW = re.compile(r'<th scope="row"><a href="[^"]*tahap=(\w+)">[^<]*</a></th>'
                        r'<td class="num">([\d.]+)</td>')


@pytest.fixture
async def core(tmp_path, clock):
    async with web_core(tmp_path, clock,
                        'staff_names = { "telegram:999000001" = "Bu Sari" }\n') as core:
        yield core


async def populate(core) -> dict[str, int]:
    """Owners at every stage, of two products, channels and sources; a session with sign-ups."""
    db = core.db
    ids = {
        "siti": await add_applicant(db, 1, name="Siti Aminah", business="Batik Aminah",
                                    readiness=90, phone="081234567890", source="poster-batik"),
        "budi": await add_applicant(db, 2, name="Budi Santoso", business="Ikan Asap Budi",
                                    product="fish", kecamatan="utara", readiness=75,
                                    channel="whatsapp"),
        "dewi": await add_applicant(db, 3, name="Dewi Lestari", business="Dewi Craft",
                                    product="other", kecamatan=None, readiness=40,
                                    eligible=False),
        "agus": await add_applicant(db, 4, name="Agus Salim", business="Batik Agus",
                                    eligible=None),
    }
    session_id = await add_session(db, "Pelatihan Ekspor Oktober 2027", SESSION_START)
    await sign_up(db, session_id, [ids["siti"]], attendance="confirmed")
    await sign_up(db, session_id, [ids["budi"]], status="waiting")
    await db.registrations.mark_present(session_id, ids["siti"], True, core.clock())
    ids["session"] = session_id
    return ids


async def test_the_overview_shows_the_funnel_of_rekap(core):
    await populate(core)
    staff = Owner(core, str(STAFF_ID))
    await staff.say("/rekap")
    rekap = staff.text()
    (overall,) = await core.db.reports.funnel()
    assert overall.counts == (4, 4, 3, 2, 2, 1, 1)
    async with browser(core) as client:
        await sign_in(client, core)
        page = (await client.get("/staf/")).text
    shown = dict(FUNNEL_ROW.findall(page))
    assert [int(shown[s]) for s in STAGES] == list(overall.counts)
    assert " → ".join(str(n) for n in overall.counts) in rekap  # the same numbers as the chat
    assert page.count('src="data:image/svg+xml;base64,') == 5  # the funnel and four breakdowns
    for group in ("Batik", "Olahan ikan", "Pekalongan Utara", "poster-batik", "WhatsApp"):
        assert group in page
    assert "<script" not in page


async def test_applicants_are_ranked_by_readiness_and_filtered(core):
    await populate(core)
    async with browser(core) as client:
        await sign_in(client, core)

        async def names(query: str = "") -> list[str]:
            page = (await client.get("/staf/pendaftar" + query)).text
            return re.findall(r'<a href="/staf/pendaftar/\d+">([^<]+)</a>', page)

        assert await names() == ["Siti Aminah", "Budi Santoso", "Dewi Lestari", "Agus Salim"]
        assert await names("?urut=readiness&arah=naik") == [
            "Agus Salim", "Dewi Lestari", "Budi Santoso", "Siti Aminah"]
        assert await names("?urut=name&arah=naik") == [
            "Agus Salim", "Budi Santoso", "Dewi Lestari", "Siti Aminah"]
        assert await names("?produk=batik") == ["Siti Aminah", "Agus Salim"]
        assert await names("?kecamatan=utara") == ["Budi Santoso"]
        assert await names("?kelayakan=eligible") == ["Siti Aminah", "Budi Santoso"]
        assert await names("?kelayakan=not_eligible") == ["Dewi Lestari"]
        assert await names("?kelayakan=unfinished") == ["Agus Salim"]
        assert await names("?kesiapan=60") == ["Siti Aminah", "Budi Santoso"]
        assert await names("?sumber=poster-batik") == ["Siti Aminah"]
        assert await names("?sumber=-&kanal=telegram") == ["Dewi Lestari", "Agus Salim"]
        assert await names("?kanal=whatsapp") == ["Budi Santoso"]
        assert await names("?tahap=attended") == ["Siti Aminah"]
        assert await names("?produk=<script>&urut=1;DROP") == await names()  # unknown: ignored
        (overall,) = await core.db.reports.funnel()
        for stage, count in zip(STAGES, overall.counts, strict=True):
            assert len(await names(f"?tahap={stage}")) == count  # the funnel's own numbers
        csrf = re.search(r'name="csrf" value="([^"]+)"',
                         (await client.get("/staf/pendaftar")).text).group(1)
        await client.post("/staf/pendaftar/cari", data={"csrf": csrf, "cari": "batik"})
        assert await names() == ["Siti Aminah", "Agus Salim"]  # business names match too
        assert await names("?kecamatan=barat&produk=batik&kelayakan=eligible") == ["Siti Aminah"]
        await client.post("/staf/pendaftar/cari", data={"csrf": csrf, "hapus": "1"})
        assert len(await names()) == 4


async def test_applicants_are_paged(core):
    for n in range(120):
        await add_applicant(core.db, 100 + n, name=f"Pemilik {n:03d}", business=f"Usaha {n}",
                            readiness=n % 101)
    async with browser(core) as client:
        await sign_in(client, core)
        first = (await client.get("/staf/pendaftar")).text
        last = (await client.get("/staf/pendaftar?hal=3")).text
        beyond = (await client.get("/staf/pendaftar?hal=99")).text
    assert "120 pelaku usaha" in first and "Halaman 1 dari 3" in first
    assert len(re.findall(r'href="/staf/pendaftar/\d+"', first)) == 50
    assert len(re.findall(r'href="/staf/pendaftar/\d+"', last)) == 20
    assert "Halaman 3 dari 3" in beyond  # past the end: the last page
    assert 'rel="next"' in first and 'rel="next"' not in last


async def test_an_applicants_page_has_everything_about_them(core):
    ids = await populate(core)
    await core.db.outbox.enqueue(ids["siti"], "reminder", "r:1",
                                 {"session_id": ids["session"], "offset": 86400}, core.clock())
    async with browser(core) as client:
        await sign_in(client, core)
        page = html.unescape((await client.get(f"/staf/pendaftar/{ids['siti']}")).text)
        gone = (await client.get("/staf/pendaftar/98765")).text
    for shown in ("Siti Aminah", "Batik Aminah", "20 kodi",  # answers as /datasaya shows them
                  "Halal, PIRT / SPP-IRT", "081234567890",
                  "Memenuhi syarat", "Kesiapan 90 dari 100", "Mutu", "20 / 20",
                  "NIB", "0 / 20", "pemberitahuan privasi versi 2026-11",
                  "Pelatihan Ekspor Oktober 2027", "hadir", "poster-batik",
                  "Pengingat Pelatihan Ekspor Oktober 2027", "menunggu dikirim"):
        assert shown in page, shown
    assert "Pendaftar tidak ditemukan" in gone


async def test_downloads_are_the_files_of_ekspor(core):
    await populate(core)
    staff = Owner(core, str(STAFF_ID))
    await staff.say("/ekspor")
    caption = next(r.text for r in staff.last if isinstance(r, Reply) and r.attachment)
    assert "1 sesi pelatihan" in caption  # each count in its own words (issue 12)
    english = Owner(core, str(STAFF_ID), language_code="en")
    await english.say("/export")
    assert "and 1 training session," in english.text()  # not "1 training sessions"
    chat = {r.attachment.filename.rsplit(".", 1)[1]: r.attachment
            for r in staff.last if isinstance(r, Reply) and r.attachment}
    async with browser(core) as client:
        await sign_in(client, core)
        csv = await client.get("/staf/unduh/umkm.csv")
        xlsx = await client.get("/staf/unduh/umkm.xlsx")
        assert (await client.get("/staf/unduh/umkm.exe")).status_code == 404
    assert csv.content == chat["csv"].content
    assert csv.headers["content-disposition"] == f'attachment; filename="{chat["csv"].filename}"'
    web_book = load_workbook(io.BytesIO(xlsx.content))
    chat_book = load_workbook(io.BytesIO(chat["xlsx"].content))
    assert web_book.sheetnames == chat_book.sheetnames
    for web_sheet, chat_sheet in zip(web_book.worksheets, chat_book.worksheets, strict=True):
        assert list(web_sheet.values) == list(chat_sheet.values)
    exports = [e for e in await core.db.staff.audit_entries(10) if e.action == "export"]
    assert len(exports) == 4 and all(e.actor == str(STAFF_ID) for e in exports)


async def test_the_audit_log_is_in_words_with_people_by_name(core):
    ids = await populate(core)
    staff = Owner(core, str(STAFF_ID))
    await staff.say("/rekap")
    await core.db.staff.audit("telegram", "12345", "session.present",
                              {"session_id": ids["session"], "owner": ids["siti"],
                               "present": True}, 1, core.clock())
    await core.db.staff.audit("telegram", str(STAFF_ID), "session.choose_best",
                              {"session_id": ids["session"], "seated": [ids["budi"]],
                               "moved_to_waiting": [98765]}, 2, core.clock())
    async with browser(core) as client:
        await sign_in(client, core)
        page = html.unescape((await client.get("/staf/audit")).text)
        english_csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        await client.post("/staf/bahasa", data={"csrf": english_csrf, "language": "en",
                                                 "next": "/staf/audit"})
        english = html.unescape((await client.get("/staf/audit")).text)
    assert "Melihat rekap" in page and "Masuk ke halaman web petugas" in page
    assert "Menandai Siti Aminah hadir di Pelatihan Ekspor Oktober 2027" in page
    assert "Budi Santoso mendapat kursi; pelaku usaha #98765 pindah ke daftar tunggu" in page
    assert "Bu Sari" in page and "petugas Telegram 12345" in page
    for code in ("report.summary", "session.present", "web.login"):
        assert code not in page
    assert "Marked Siti Aminah as present at Pelatihan Ekspor Oktober 2027" in english
    assert "Looked at the summary" in english


async def test_search_takes_any_text_literally(core):
    await add_applicant(core.db, 1, name='Hj. Umi "Kalsum"', business="Batik 100%_Asli")
    await add_applicant(core.db, 2, name="Rahmat Hidayat", business="Batik 1000 Asli")
    await add_applicant(core.db, 3, name="Ñoman Śarif", business="Kerajinan Śarif")
    async with browser(core) as client:
        csrf = await sign_in(client, core)

        async def found(text: str) -> int:
            await client.post("/staf/pendaftar/cari", data={"csrf": csrf, "cari": text})
            page = (await client.get("/staf/pendaftar")).text
            return len(re.findall(r'href="/staf/pendaftar/\d+"', page))

        assert await found("100%") == 1
        assert await found("100%_") == 1
        assert await found('"Kalsum"') == 1
        assert await found("Śarif") == 1 and await found("rahmat") == 1  # ASCII: any case
        assert await found("Batik") == 2
        assert await found("%") == 1 and await found("_") == 1
        assert await found("<b>") == 0
